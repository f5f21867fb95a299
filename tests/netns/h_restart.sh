#!/usr/bin/env bash
# A carpd master is killed (kill -9) and its address stays behind on the
# host, as after a crash of the daemon alone.  The backup takes over (two
# holders for a while: nothing can prevent that), and carpd started again
# on the crashed host (no --neutral) runs its down script at start, which
# removes the leftover address: exactly one holder, the backup.  Started
# with --neutral instead, it runs no down script at start (the address it
# finds is left alone).  Last, when carpd runs privilege-separated and
# its network process is killed, the whole daemon goes (no half-alive
# parent), the backup takes over, and a restart cleans up after it.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_hard.sh
. "${top_srcdir:-.}/tests/netns/lib_hard.sh"

VIP=192.0.2.100
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
pass=$(tb_passfile group "restart $$")

common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1)
th_mark a start
tb_carpd a "${common[@]}" -k 0 -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
th_mark b start
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_settled "$VIP" a 8 || tb_fail "a did not become the only holder"
tb_holds 1 tb_only_holder "$VIP" a || tb_fail "a did not stay the only holder"

# The daemon dies, the address stays.
kill -9 "${TB_PID[a]}"
wait "${TB_PID[a]}" 2>/dev/null
echo "=== $(date +%s.%N) killed (kill -9), VIP left" >>"$TB_DIR/a.log"
tb_has a "$VIP" || tb_fail "the VIP went away with the daemon"
tb_wait_master b "$VIP" 10.2 || tb_fail "b did not take over"
tb_has a "$VIP" || tb_fail "the leftover VIP went away by itself"

# Restart without --neutral, without --preempt: the down script at start
# cleans up and b stays the one holder.
t0=$(date +%s.%N)
th_mark a start
tb_carpd a "${common[@]}" -k 0 -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_wait_settled "$VIP" b 3 || tb_fail "the restarted a did not remove its leftover VIP"
cleaned=$(tb_elapsed "$t0" "$(tb_event_time ' a down ')")
[ "$(tb_events ' a down eth0 192\.0\.2\.100 BACKUP startup$')" -eq 2 ] ||
	tb_fail "the cleanup was not a's down script at startup"
tb_holds 2 tb_only_holder "$VIP" b || tb_fail "b did not stay the only holder"

# --neutral: kill -9 again (a is a backup: nothing is left), plant a
# leftover address, restart: no down script runs, the address stays.
kill -9 "${TB_PID[a]}"
wait "${TB_PID[a]}" 2>/dev/null
echo "=== $(date +%s.%N) killed (kill -9)" >>"$TB_DIR/a.log"
ip -n "${TB_NS[a]}" addr add "$VIP/24" dev eth0 || tb_fail "cannot plant the VIP"
n=$(tb_events ' a down ')
th_mark a start neutral
tb_carpd a "${common[@]}" -k 0 --neutral -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_wait_log a 'vhid 7 on eth0: INIT -> BACKUP \(startup\)' 3 ||
	tb_fail "a (--neutral) did not start"
tb_holds 2 tb_has a "$VIP" || tb_fail "a (--neutral) removed the leftover VIP"
[ "$(tb_events ' a down ')" -eq "$n" ] || tb_fail "a (--neutral) ran its down script"
ip -n "${TB_NS[a]}" addr del "$VIP/24" dev eth0
tb_alive a || tb_fail "a died"
tb_alive b || tb_fail "b died"
tb_only_holder "$VIP" b || tb_fail "b is not the only holder"

# The network process of the master b dies.
child=$(pgrep -P "${TB_PID[b]}" -x carpd | head -n 1)
netcrash="no separate network process"
if [ -n "$child" ]; then
	kill -9 "$child"
	tb_wait_exit b 5 || tb_fail "b's daemon lingers after its network process died"
	echo "=== $(date +%s.%N) network process killed (kill -9)" >>"$TB_DIR/b.log"
	tb_wait_master a "$VIP" 10.2 || tb_fail "a did not take over from b"
	left=no
	tb_has b "$VIP" && left=yes
	th_mark b start
	tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
	tb_wait_settled "$VIP" a 3 || tb_fail "b's restart did not leave a the only holder"
	netcrash="network process killed: daemon exited (VIP left behind: $left), restart cleaned up"
fi
tb_alive a || tb_fail "a died"

tb_pass "the leftover VIP was removed by the down script $cleaned s after" \
    "the restart; with --neutral no down script ran; $netcrash"
