#!/usr/bin/env bash
# Scripts that misbehave never hold up the daemon.
#  a. a's up script hangs and ignores SIGTERM (--script-timeout 2): it
#     is sent SIGTERM after 2 s and SIGKILL 2 s later, both logged, and
#     meanwhile a sends its adverts on time (no gap over 1.5 intervals on
#     the wire) and b never takes over.
#  b. b's up script exits 3 and its down script does not exist: both
#     are logged and b's state machine goes on (it takes over from the
#     crashed a, steps down, takes over again).
#  c. a restarts with scripts that take 0.5 s and record when they start
#     and end; quick transitions (preempt at start, SIGUSR2, then the
#     new master crashes) queue them: they never overlap and run in the
#     order of the transitions: down (start), up, down, up.
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
pass=$(tb_passfile group "scripts $$")
SLOW=$TB_DIR/slow.log
: >"$SLOW"

# mkscript NAME BODY: $TB_DIR/NAME, logging like tb_scripts' scripts
# (HOST and EVENT from NAME = HOST.EVENT[.KIND]) and then running BODY.
mkscript() {
	local f=$TB_DIR/$1 h=${1%%.*} ev
	ev=${1#*.}
	ev=${ev%%.*}
	cat >"$f" <<-EOF
	#!/bin/sh
	echo "\$(date +%s.%N) $h $ev \$1 \$2 \${CARP_STATE:--} \${CARP_REASON:--}" >>"$TB_EVENTS"
	$2
	EOF
	chmod +x "$f"
}
mkscript a.up.hang "$TB_IP addr add \"\$2/24\" dev \"\$1\"
trap '' TERM
sleep 1000"
mkscript b.up.fail "$TB_IP addr add \"\$2/24\" dev \"\$1\" 2>/dev/null
exit 3"
for ev in up down; do
	[ "$ev" = up ] && op=add || op=del
	mkscript "a.$ev.slow" "echo \"START \$(date +%s.%N) $ev\" >>\"$SLOW\"
$TB_IP addr $op \"\$2/24\" dev \"\$1\" 2>/dev/null
sleep 0.5
echo \"END \$(date +%s.%N) $ev\" >>\"$SLOW\""
done
missing=$TB_DIR/no-such-dir/b.down
# shellcheck disable=SC2317 # called through tb_until
slow_ended() {
	[ "$(grep -c '^END ' "$SLOW")" -ge "$1" ]
}

tb_capture || tb_fail "tcpdump did not start"
common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1)
th_mark a start
tb_carpd a "${common[@]}" -k 0 --script-timeout 2 -u "$TB_DIR/a.up.hang" -d "$TB_DIR/a.down"
th_mark b start
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up.fail" -d "$missing"

# a. The hanging up script.
tb_wait_settled "$VIP" a 8 || tb_fail "a. a did not become the only holder"
tb_wait_log a "script vhid 7 up 192\.0\.2\.100: still running after 2 s, sending SIGTERM" 3.5 ||
	tb_fail "a. no SIGTERM for the hanging up script after 2 s"
tb_wait_log a "script vhid 7 up 192\.0\.2\.100: still running, sending SIGKILL" 3.5 ||
	tb_fail "a. no SIGKILL for the up script that ignores SIGTERM"
tb_wait_log a "script vhid 7 up 192\.0\.2\.100: .*a\.up\.hang killed by signal 9" 2 ||
	tb_fail "a. the up script's end (killed by signal 9) was not logged"
tb_holds 1.5 tb_only_holder "$VIP" a || tb_fail "a. a did not stay the only holder"
tb_loggrep b ' -> MASTER ' && tb_fail "a. b took over while a's script hung"
tb_capture_stop
# a's adverts from its takeover on (the first one leaves with it).
gaps=$(tb_adverts | awk '$2 == "192.0.2.1" && /advbase=1 advskew=0 / {
	if (n++) { g = $1 - t; if (g > max) max = g }
	t = $1 }
	END { printf "%d %.3f\n", n, max }')
nadv=${gaps% *}
maxgap=${gaps#* }
[ "$nadv" -ge 5 ] || tb_fail "a. only $nadv adverts of a on the wire"
tb_lt "$maxgap" 1.5 || tb_fail "a. a gap of $maxgap s between a's adverts"
for pid in $(ip netns pids "${TB_NS[a]}"); do
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" != sleep ] ||
		tb_fail "a. the hanging script's sleep (pid $pid) survived"
done

# b. A failing up script and a missing down script.
tb_loggrep b "script vhid 7 down 192\.0\.2\.100: cannot run $missing" ||
	tb_fail "b. the missing down script was not logged"
tb_crash a
tb_wait_log b 'vhid 7 on eth0: BACKUP -> MASTER \(master-down\)' 10.2 ||
	tb_fail "b. b did not take over from the crashed a"
tb_wait_log b "script vhid 7 up 192\.0\.2\.100: .*b\.up\.fail exited 3" 2 ||
	tb_fail "b. the up script's exit status 3 was not logged"
tb_wait_settled "$VIP" b 2 || tb_fail "b. b is not the only holder"
# A transition whose script is missing, and the next one.
tb_signal b USR2
tb_wait_log b 'vhid 7 on eth0: MASTER -> BACKUP \(forced-backup\)' 2 ||
	tb_fail "b. b: no MASTER -> BACKUP (forced-backup)"
tb_until 2 th_count_more b "down 192\.0\.2\.100: cannot run $missing" 1 ||
	tb_fail "b. the missing down script was not logged at MASTER -> BACKUP"
# Nobody else is master: b's master-down timer runs as usual.
tb_until 10.2 th_count_more b 'BACKUP -> MASTER \(master-down\)' 1 ||
	tb_fail "b. b did not become master again after the failed scripts"
tb_until 2 th_count_more b "up 192\.0\.2\.100: .*b\.up\.fail exited 3" 1 ||
	tb_fail "b. the second failing up script was not logged"

# c. Quick transitions on a, with slow scripts.
th_mark a start
tb_carpd a "${common[@]}" -k 0 -P --script-timeout 5 \
    -u "$TB_DIR/a.up.slow" -d "$TB_DIR/a.down.slow"
tb_wait_log a 'vhid 7 on eth0: BACKUP -> MASTER \(preempt\)' 3 ||
	tb_fail "c. a did not preempt b"
tb_signal a USR2		# while its up script runs or waits
tb_wait_log a 'vhid 7 on eth0: MASTER -> BACKUP \(forced-backup\)' 2 ||
	tb_fail "c. a: no MASTER -> BACKUP (forced-backup)"
# b either took a's adverts (a new random counter below the old one is
# taken after three adverts) and stepped down and back at the bow-out,
# or stayed master: it is the one holder (it has no down script).
tb_wait_settled "$VIP" b 3 || tb_fail "c. b is not the only holder after a's SIGUSR2"
# a's log also holds its first run, which took over at master-down too:
# wait for one more such line than before, not for any.
a_downs=$(tb_count a 'BACKUP -> MASTER \(master-down\)')
tb_crash b
tb_until 10.2 th_count_more a 'BACKUP -> MASTER \(master-down\)' "$a_downs" ||
	tb_fail "c. a did not take over from the crashed b"
tb_until 3 slow_ended 4 ||
	tb_fail "c. a's fourth script did not end: $(tr '\n' ' ' <"$SLOW")"
tb_wait_settled "$VIP" a 1 || tb_fail "c. a is not the only holder"
order=$(awk '$1 == "START" { printf "%s ", $3 }' "$SLOW")
[ "$order" = "down up down up " ] ||
	tb_fail "c. a's scripts ran in the order $order, not down up down up: $(tr '\n' ' ' <"$SLOW")"
# Strictly START, END, START, END...: no two at once, nothing lost.
overlap=$(awk '
	$1 == "START" { if (open) bad = bad " " $3 " started before the previous ended;"
		if ($2 < last) bad = bad " " $3 " started before " last ";"
		open = 1 }
	$1 == "END" { open = 0; last = $2 }
	END { print bad }' "$SLOW")
[ -z "$overlap" ] || tb_fail "c. a's scripts overlapped:$overlap $(tr '\n' ' ' <"$SLOW")"
tb_alive a || tb_fail "a died"

tb_pass "hung script killed (TERM then KILL), $nadv adverts of a, largest gap" \
    "$maxgap s; exit 3 and missing script logged, b went on; a's scripts" \
    "ran $order without overlap"
