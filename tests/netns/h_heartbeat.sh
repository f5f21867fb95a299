#!/usr/bin/env bash
# The root parent notices a network process that stops answering.  a is
# master of vhid 7 (two addresses) and vhid 8 (one); b is backup.  Any
# process of the network process's user may SIGSTOP it; then a would keep
# its addresses while b, hearing no adverts, takes them over.  a's parent
# must see it within about 3 s (3 missed pings), log it, kill the network
# process, run the down script of each of its three addresses, and exit
# non-zero (a service manager restarts it).  Before that, a healthy but
# idle network process is never taken for a stopped one.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
pass=$(tb_passfile group "heartbeat $$")

for h in a b; do
	[ "$h" = a ] && skew=0 || skew=100
	{
		tm_globals "$h"
		cat <<-EOF
		interface eth0 {
			passfile $pass
			preempt
			advskew $skew
			upscript $TB_DIR/$h.up
			downscript $TB_DIR/$h.down
			vhid 7 { addr 192.0.2.71; addr 192.0.2.72 }
			vhid 8 { addr 192.0.2.81 }
		}
		EOF
	} | tm_conf "$h"
	tm_carpd_conf "$h"
done
for vip in 192.0.2.71 192.0.2.72 192.0.2.81; do
	tb_wait_settled "$vip" a 10 || tb_fail "a is not the only holder of $vip"
done
# Healthy for a while: the pings are answered.
sleep 4
tb_loggrep a 'has not answered' && tb_fail "a's healthy network process was taken for a stopped one"

child=$(pgrep -P "${TB_PID[a]}" -x carpd | head -n1)
[ -n "$child" ] || tb_fail "no network process under a's pid ${TB_PID[a]}"
ups=$(tb_events ' a up ')
downs=$(tb_events ' a down ')
t0=$(tb_now_us)
kill -STOP "$child"
tb_wait_exit a 10 || tb_fail "a's parent did not exit after its network process stopped"
t1=$(tb_now_us)
[ "$TB_RC" -ne 0 ] || tb_fail "a's parent exited 0 after its network process stopped"
tb_loggrep a 'network process has not answered for 3 s' ||
	tb_fail "a's parent did not log the silent network process"
tb_loggrep a "killing the network process \(pid $child\) and running the down scripts" ||
	tb_fail "a's parent did not log that it kills the network process"
tb_loggrep a '3 down scripts queued' || tb_fail "a's parent did not queue 3 down scripts"
kill -0 "$child" 2>/dev/null && tb_fail "the stopped network process $child is still there"
for vip in 192.0.2.71 192.0.2.72 192.0.2.81; do
	tb_events_grep " a down eth0 $vip INIT network-process-stopped\$" ||
		tb_fail "no down script for $vip from a's parent"
	tb_has a "$vip" && tb_fail "a still holds $vip"
done
[ "$(tb_events ' a down ')" -eq $((downs + 3)) ] ||
	tb_fail "a ran $(($(tb_events ' a down ') - downs)) down scripts, not 3"
[ "$(tb_events ' a up ')" -eq "$ups" ] || tb_fail "a ran an up script meanwhile"
for vip in 192.0.2.71 192.0.2.72 192.0.2.81; do
	tb_wait_settled "$vip" b 6 || tb_fail "b is not the only holder of $vip"
done
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')
tb_pass "a stopped network process was killed and its 3 down scripts run; the parent exited $TB_RC after $secs s"
