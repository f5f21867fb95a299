#!/usr/bin/env bash
# The firewall pair (lib_fw.sh), moved by the operator and held off at
# start:
# - carpctl demote fw +1 on fw1, the master of both: its adverts carry
#   the demotion and fw2 takes both addresses at once; carpctl demote fw
#   0 lifts it and fw1 preempts both back; bad names and values are
#   refused, naming them;
# - fw1 restarted with --startup-demote 4: for 4 s it advertises 128 and
#   does not preempt, then it takes both back;
# - fw1 restarted with preempt-delay 4 in its vhids: it does not preempt
#   for 4 s, then it takes both back.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_fw.sh
. "${top_srcdir:-.}/tests/netns/lib_fw.sh"

tb_init
fw_bed
fw_conf fw1 0
fw_conf fw2 100
tm_carpd_conf fw1
tm_carpd_conf fw2
fw_wait fw1 10 || tm_fail "fw1 did not hold both addresses"

tb_log "carpctl demote fw +1 on fw1"
out=$(tm_ctl fw1 demote fw +1) || tm_fail "carpctl demote failed: $out"
[ "$out" = "ok group fw: demotion 1 (operator 1), 2 vhids" ] ||
    tm_fail "carpctl demote said: $out"
fw_wait fw2 2 || tm_fail "fw2 did not take both addresses at once"
tm_ctl fw1 status | grep -q '^group fw: demotion 1, 2 vhids operator=1$' ||
    tm_fail "fw1's status does not show the operator's demotion"
fw_wait_reach 5 || tm_fail "the client did not reach the server through fw2"
# Held: fw1 does not preempt while demoted.
tb_holds 3 fw_holds fw2 || tm_fail "fw1 took an address back while demoted"

tb_log "bad input"
for bad in "a/b +1" "fw 256" "fw +x" "fw --1" "nosuch"; do
	# shellcheck disable=SC2086 # two words
	if out=$(tm_ctl fw1 demote $bad 2>&1); then
		tm_fail "carpctl demote $bad was accepted: $out"
	fi
	echo "carpctl demote $bad: $out" >&2
	case $bad in
	"a/b +1") want='invalid group "a/b"' ;;
	nosuch) want='no group "nosuch"' ;;
	*) want="invalid demotion \"${bad#fw }\"" ;;
	esac
	[[ $out == *"$want"* ]] || tm_fail "carpctl demote $bad: no $want in: $out"
done
tb_alive fw1 || tm_fail "fw1 died of bad input"

tb_log "carpctl demote fw 0 on fw1"
out=$(tm_ctl fw1 demote fw 0) || tm_fail "carpctl demote failed: $out"
fw_wait fw1 4 || tm_fail "fw1 did not take both addresses back"
fw_wait_reach 5 || tm_fail "the client did not reach the server through fw1"

# restart_fw1 ARGS...: stop fw1, wait for fw2 to hold both, start it.
restart_fw1() {
	tb_signal fw1 TERM
	tb_wait_exit fw1 10 || tm_fail "fw1 did not stop"
	fw_wait fw2 4 || tm_fail "fw2 did not take both when fw1 stopped"
	tm_carpd_conf fw1 "$@"
	T0=$(tb_now_us)
}

tb_log "fw1 with --startup-demote 4"
restart_fw1 --startup-demote 4
tb_wait_log fw1 'start-up demotion: group carp by 128 for 4 s' 3 ||
    tm_fail "fw1 did not say it demotes at start"
tb_holds 3 fw_holds fw2 || tm_fail "fw1 took an address during its start-up demotion"
fw_wait fw1 5 || tm_fail "fw1 did not take both when its start-up demotion ended"
t=$(( ($(tb_now_us) - T0) / 1000 ))
tb_log "fw1 took both back ${t} ms after its start"
[ "$t" -ge 4000 ] || tm_fail "fw1 took both back before 4 s"
tb_loggrep fw1 'start-up demotion over' || tm_fail "no end of the start-up demotion"

tb_log "fw1 with preempt-delay 4"
fw_conf fw1 0 "preempt-delay 4"
restart_fw1
tb_holds 3 fw_holds fw2 || tm_fail "fw1 preempted during its preempt delay"
fw_wait fw1 5 || tm_fail "fw1 did not preempt when its preempt delay ended"
t=$(( ($(tb_now_us) - T0) / 1000 ))
[ "$t" -ge 4000 ] || tm_fail "fw1 took both back before 4 s"
tb_loggrep fw1 'vhid 2 on eth1: preempt delay over' ||
    tm_fail "no end of the preempt delay"
tb_pass "carpctl demote, the start-up demotion and the preempt delay move both"
