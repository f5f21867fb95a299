#!/usr/bin/env bash
# --realtime: the network process, and only it, runs real-time with its
# memory locked.
#  a: the default, SCHED_RR priority 10; the parent and the up script
#     keep SCHED_OTHER.
#  b: --realtime=fifo:20, SCHED_FIFO priority 20.
#  c: --realtime=off, SCHED_OTHER, nothing locked.
#  d: started without CAP_SYS_NICE in its bounding set: the kernel
#     refuses, d says so once and runs on (it still becomes BACKUP).
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

VIP=192.0.2.100
tb_init
command -v chrt >/dev/null || { echo "${0##*/}: SKIP: no chrt" >&2; exit 77; }
command -v setpriv >/dev/null || { echo "${0##*/}: SKIP: no setpriv" >&2; exit 77; }
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_host c 192.0.2.3/24
tb_host d 192.0.2.4/24
tb_scripts
pass=$(tb_passfile group "rt $$")
# The up script notes its own policy: scripts must not inherit it.
sed -i "s|^exit 0|chrt -p \\$\\$ >$TB_DIR/a.up.sched\\nexit 0|" "$TB_DIR/a.up"

common=(-i eth0 -v 5 -o "$pass" -a "$VIP" -b 1)
tb_carpd a "${common[@]}" -k 0 -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${common[@]}" -k 50 --realtime=fifo:20
tb_carpd c "${common[@]}" -k 100 --realtime=off
tb_daemon d setpriv --bounding-set -sys_nice "$CARPD" "${common[@]}" -k 150

# child HOST: the network process's pid.
child() {
	pgrep -P "${TB_PID[$1]}" -x carpd | head -n 1
}
# sched HOST PID: "POLICY PRIO" of PID.
sched() {
	chrt -p "$2" | awk -F': *' '/policy/ { p = $2 } /priority/ { q = $2 }
	    END { sub(/\|SCHED_RESET_ON_FORK/, "", p); print p, q }'
}
# locked_maps PID: how many of its mappings are locked (VmFlags "lo";
# VmLck alone misses locked-on-fault mappings of a sanitizer build).
locked_maps() {
	grep -Ec '^VmFlags:.* lo( |$)' "/proc/$1/smaps"
}

for h in a b c d; do
	tb_wait_log "$h" 'vhid 5 on eth0: INIT -> BACKUP' 5 || tb_fail "$h did not start"
done
tb_wait_settled "$VIP" a 8 || tb_fail "a did not become master"
tb_wait_event ' a up ' 3 || tb_fail "a's up script did not run"
tb_until 3 test -s "$TB_DIR/a.up.sched" || tb_fail "a's up script did not note its policy"

expect() {	# HOST PID WANT WHAT
	local got
	got=$(sched "$1" "$2")
	[ "$got" = "$3" ] || tb_fail "$1: $4 runs \"$got\", not \"$3\""
	tb_log "$1: $4: $got"
}
expect a "$(child a)" "SCHED_RR 10" "network process"
expect a "${TB_PID[a]}" "SCHED_OTHER 0" "privileged process"
grep -q 'SCHED_OTHER' "$TB_DIR/a.up.sched" ||
	tb_fail "a's up script runs $(cat "$TB_DIR/a.up.sched")"
expect b "$(child b)" "SCHED_FIFO 20" "network process"
expect c "$(child c)" "SCHED_OTHER 0" "network process"
expect d "$(child d)" "SCHED_OTHER 0" "network process"

# Under AddressSanitizer mlockall() succeeds but no mapping shows as
# locked afterwards (not understood yet): the lock is checked in the
# plain build only, the scheduling in both.
if ldd "$CARPD" 2>/dev/null | grep -q libasan; then
	tb_log "sanitizer build: locked mappings not checked"
else
	[ "$(locked_maps "$(child a)")" -gt 0 ] || tb_fail "a: the network process has no locked memory"
fi
[ "$(locked_maps "$(child c)")" -eq 0 ] || tb_fail "c: memory locked with --realtime=off"
tb_loggrep a 'network process runs real-time, rr:10, memory locked' ||
	tb_fail "a: no real-time line in the log"
tb_loggrep c 'carpd: .*(real-time|realtime .*refused)' && tb_fail "c: says something about real time with --realtime=off"
n=$(tb_count d 'realtime rr:10 refused .*running on with normal scheduling')
[ "$n" -eq 1 ] || tb_fail "d: $n lines about the refusal, not 1"
tb_alive d || tb_fail "d died"
tb_holds 1 tb_only_holder "$VIP" a || tb_fail "a did not stay the only master"

tb_pass "network process SCHED_RR 10 (default) / SCHED_FIFO 20 / off, memory locked; refusal logged once"
