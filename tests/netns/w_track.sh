#!/usr/bin/env bash
# Track scripts and tracked files on the firewall bed (lib_fw.sh), run
# by fw1's root parent, which reports to its network process:
# - a track script (every 1 s, fall 2, rise 2, weight 10) that starts
#   failing moves both addresses to fw2; passing again, they come back;
# - one that hangs is killed after track-timeout and counts as failing;
# - a tracked file with 7 in it moves both, garbage in it is logged and
#   keeps the last number, removing it brings them back;
# - a missing, non-executable or badly named track script, or a track for
#   a group no vhid is in, is refused at start with a message naming it.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_fw.sh
. "${top_srcdir:-.}/tests/netns/lib_fw.sh"

tb_init
fw_bed
check=$TB_DIR/check.sh
cat >"$check" <<EOF
#!/bin/sh
[ -e $TB_DIR/hang ] && sleep 30
[ ! -e $TB_DIR/fail ]
EOF
chmod 755 "$check"
fw_conf fw1 0
cat >>"$TB_DIR/fw1.conf" <<EOF
track-interval 1
track-timeout 1
track-fall 2
track-rise 2
track-weight 10
track-script fw,$check
track-file fw,$TB_DIR/maint
EOF
fw_conf fw2 100
tm_carpd_conf fw1
tm_carpd_conf fw2
fw_wait fw1 10 || tm_fail "fw1 did not hold both addresses"
tb_wait_log fw1 "track fw $check every 1 s" 1 || tm_fail "fw1 did not start its track script"

# moved WHAT: both addresses go to fw2 and come back when undone.
tb_log "track script fails"
touch "$TB_DIR/fail"
fw_wait fw2 6 || tm_fail "a failing track script did not move both to fw2"
tb_loggrep fw1 "track fw $check: failing \(2 in a row\): demoting fw by 10" ||
    tm_fail "fw1 did not log the failing track script"
tm_ctl fw1 status | grep -q '^group fw: demotion 10, 2 vhids track=10$' ||
    tm_fail "fw1's status does not show the track demotion"
fw_wait_reach 5 || tm_fail "the client did not reach the server through fw2"
rm -f "$TB_DIR/fail"
fw_wait fw1 8 || tm_fail "a passing track script did not bring both back"
tb_loggrep fw1 "track fw $check: passing again" || tm_fail "no passing again"

tb_log "track script hangs"
touch "$TB_DIR/hang"
fw_wait fw2 10 || tm_fail "a hanging track script did not move both to fw2"
tb_loggrep fw1 "script track fw: still running after 1 s, sending SIGTERM" ||
    tm_fail "the hanging track script was not killed at its timeout"
rm -f "$TB_DIR/hang"
fw_wait fw1 10 || tm_fail "both did not come back after the hang"

tb_log "tracked file"
echo 7 >"$TB_DIR/maint"
fw_wait fw2 5 || tm_fail "a tracked file with 7 did not move both to fw2"
tm_ctl fw1 status | grep -q '^group fw: demotion 7, 2 vhids track=7$' ||
    tm_fail "fw1's status does not show the file's demotion"
echo "seven" >"$TB_DIR/maint"
tb_wait_log fw1 "track file fw $TB_DIR/maint: not a number from 0 to 255; keeping 7" 4 ||
    tm_fail "garbage in the tracked file was not logged"
tb_holds 2 fw_holds fw2 || tm_fail "garbage in the tracked file lifted the demotion"
tb_alive fw1 || tm_fail "fw1 died of a garbage file"
rm -f "$TB_DIR/maint"
fw_wait fw1 6 || tm_fail "removing the tracked file did not bring both back"

tb_log "bad track scripts at start"
chmod 644 "$TB_DIR/fw1.up"
for spec in "fw,$TB_DIR/missing.sh" "fw,$TB_DIR/fw1.up" "a/b,$check" "fw,relative.sh"; do
	if out=$("$CARPD" -t -c "$TB_DIR/fw1.conf" --track-script="$spec" 2>&1); then
		tm_fail "track-script $spec was accepted"
	fi
	echo "track-script $spec: $out" >&2
	case $out in
	*"--track-script: invalid value"*|*"--track-script: \"$TB_DIR/"*) ;;
	*) tm_fail "track-script $spec: no clear message: $out" ;;
	esac
done
out=$("$CARPD" -t -c "$TB_DIR/fw1.conf" --track-file="nosuch,$TB_DIR/maint" 2>&1) &&
    tm_fail "a track for a group no vhid is in was accepted"
echo "track-file nosuch: $out" >&2
[[ $out == *'no vhid is in group "nosuch"'* ]] ||
    tm_fail "track-file nosuch: no clear message: $out"
tb_pass "track scripts and tracked files move both addresses"
