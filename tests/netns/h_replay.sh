#!/usr/bin/env bash
# Replayed adverts.  The adverts of master a are captured on the switch;
# a crashes and b takes over; then an attacker replays a's adverts at b:
# the newest one over and over, the whole captured sequence in order with
# advskew rewritten to 0 (and the CARP checksum fixed: the HMAC does not
# cover advskew, so the frames stay authentic), and the sequence as it
# was.  b must stay the only master and log the replays as dropped.  Then
# a really restarts (fresh random counter, --preempt, better advskew):
# b must accept it again and a takes the address back.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_hard.sh
. "${top_srcdir:-.}/tests/netns/lib_hard.sh"

VIP=192.0.2.100
tb_init
th_need_scapy
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_host x 192.0.2.66/24		# the attacker
tb_scripts
pass=$(tb_passfile group "replay $$")
tb_capture || tb_fail "tcpdump did not start"

common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1)
th_mark a start
tb_carpd a "${common[@]}" -k 10 -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
th_mark b start
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_settled "$VIP" a 8 || tb_fail "a did not become the only holder"
# Six adverts or so of a, all seen by b.
tb_holds 5 tb_only_holder "$VIP" a || tb_fail "a did not stay the only holder"
tb_capture_stop
cp "$TB_DIR/br0.pcap" "$TB_DIR/a-adverts.pcap"
ncap=$(tb_adverts | grep -c ' 192\.0\.2\.1 > 224\.0\.0\.18: CARPv2-advertise .*advskew=10 ')
[ "$ncap" -ge 4 ] || tb_fail "only $ncap adverts of a captured"

tb_crash a
tb_wait_settled "$VIP" b 10.2 || tb_fail "b did not take over after a's crash"
tb_wait_log b 'vhid 7 on eth0: BACKUP -> MASTER \(master-down\)' 2 ||
	tb_fail "b: no BACKUP -> MASTER (master-down) line"
nb=$(th_transitions b)

# replay_phase NAME ARGS...: replay, then b must still be the only
# master a master-down interval of a later (b would have stepped down
# at once on an accepted advert with the better advskew).
replay_phase() {
	local name=$1
	shift
	tb_log "replay: $name"
	echo "=== $(date +%s.%N) replay: $name" >>"$TB_DIR/b.log"
	th_py x replay.py --iface eth0 --pcap "$TB_DIR/a-adverts.pcap" \
	    --src 192.0.2.1 --vhid 7 "$@" || tb_fail "replay.py failed"
	TH_MSG="$name: b is not the only holder after it"
	th_check tb_holds 1.5 tb_only_holder "$VIP" b
	TH_MSG="$name: b changed state ($(grep -E ' -> ' "$TB_DIR/b.log" | tail -n 1))"
	th_check test "$(th_transitions b)" -eq "$nb"
	nb=$(th_transitions b)
}
replay_phase "the newest advert 20 times, advskew 0" --repeat 20 --interval 0.1 --advskew 0
replay_phase "all $ncap adverts in order, advskew 0" --sequence --interval 0.25 --advskew 0
replay_phase "all $ncap adverts in order, as captured" --sequence --interval 0.25
replay_phase "all $ncap adverts in order, advbase 0 advskew 0" --sequence --interval 0.1 --advbase 0 --advskew 0

TH_MSG="b: a replayed advert made it step down"
th_check test "$(tb_count b 'MASTER -> BACKUP')" -eq 0
TH_MSG="b logged no replay drop"
th_check tb_loggrep b 'eth0: dropped packet from 192\.0\.2\.1: replay'
TH_MSG="b took a replayed advert for a restart of a"
th_check test "$(tb_count b 'restarted its advert counter')" -eq 0
nreplay=$(tb_count b 'dropped packet from 192\.0\.2\.1: replay')
st=$(th_status b) || tb_fail "b: no status line after SIGUSR1"
bad=$(sed -n 's/.*bad packets \([0-9]*\).*/\1/p' <<<"$st")

# The real a comes back: new random counter, better advskew, preempts.
t_start=$(date +%s.%N)
th_mark a start
tb_carpd a "${common[@]}" -k 0 -P -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
TH_MSG="the restarted a was not accepted: a is not the only holder"
if th_check tb_wait_settled "$VIP" a 10; then
	took=$(tb_elapsed "$t_start" "$(tb_event_time ' b down ')")
	TH_MSG="b: no MASTER -> BACKUP (preferred-master) after a's restart"
	th_check tb_loggrep b 'vhid 7 on eth0: MASTER -> BACKUP \(preferred-master\)'
	TH_MSG="a did not stay the only holder"
	th_check tb_holds 2 tb_only_holder "$VIP" a
fi
tb_alive b || tb_fail "b died"
th_failures
tb_pass "$ncap adverts captured and replayed 4 ways: b stayed master" \
    "($nreplay replay drop lines, bad packets $bad); the restarted a" \
    "was accepted, b stepped down $took s after a's start"
