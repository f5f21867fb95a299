#!/usr/bin/env bash
# An OpenBSD-style peer (tools/openbsd_peer.py: constant counter, advbase
# 1, advskew 0, a demote byte it reads from a file) and carpd (advskew
# 100, no preempt) on one LAN.  carpd follows OpenBSD's rules on the byte:
# - peer demote 0: the peer advertises more often, carpd is BACKUP;
# - peer demote 5: carpd takes over at the next advert, without preempt
#   (demoted-master), and stays MASTER though the peer is more frequent;
# - carpctl demote carp 10 on carpd: its own adverts carry 10 and it
#   steps down to the less demoted peer (demoted);
# - carpctl demote carp 5 (equal): the intervals decide again, BACKUP.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

VIP=192.0.2.50
PEER=${top_srcdir:-.}/tests/netns/tools/openbsd_peer.py

tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
pass=$(tb_passfile group "openbsd $$")
{
	tm_globals a
	cat <<-EOF
	vhid 1 {
		interface eth0
		addr $VIP
		passfile $pass
		advskew 100
		upscript $TB_DIR/a.up
		downscript $TB_DIR/a.down
	}
	EOF
} | tm_conf a
echo 0 >"$TB_DIR/demote"
tb_capture || tb_fail "no capture"
tm_carpd_conf a
tb_wait_master a "$VIP" 8 || tm_fail "a did not become master alone"
tb_daemon b "$TM_PY" "$PEER" --src 192.0.2.2 --vip "$VIP" --passfile "$pass" \
    --demote-file "$TB_DIR/demote"
# scapy takes seconds to start on a loaded machine.
tm_wait_state a 1 eth0 BACKUP 20 || tm_fail "a did not yield to the more frequent peer"
tb_loggrep a 'MASTER -> BACKUP \(preferred-master\)' || tm_fail "a yielded for another reason"

tb_log "peer demote 5"
echo 5 >"$TB_DIR/demote"
tm_wait_state a 1 eth0 MASTER 3 || tm_fail "a did not take over from the demoted peer"
tb_loggrep a 'BACKUP -> MASTER \(demoted-master\)' || tm_fail "a took over for another reason"
tb_holds 2.5 tm_state_is a 1 eth0 MASTER || tm_fail "a did not stay master over the demoted peer"

tb_log "carpctl demote carp 10 on a"
tm_ctl a demote carp 10 >/dev/null || tm_fail "carpctl demote failed"
tm_wait_state a 1 eth0 BACKUP 3 || tm_fail "a did not step down to the less demoted peer"
tb_loggrep a 'MASTER -> BACKUP \(demoted\)' || tm_fail "a stepped down for another reason"

tb_log "carpctl demote carp 5 on a: equal"
tm_ctl a demote carp 5 >/dev/null || tm_fail "carpctl demote failed"
tb_holds 2.5 tm_state_is a 1 eth0 BACKUP ||
    tm_fail "a took over from an equally demoted, more frequent peer"
tb_capture_stop
bytes=$("$TM_PY" "$PEER" --src 192.0.2.1 --check-pcap "$TB_DIR/br0.pcap" |
    sort -un | tr '\n' ' ')
tb_log "demote bytes a sent: $bytes"
[ "$bytes" = "0 10 " ] || tm_fail "a's adverts carried demote bytes $bytes, not 0 and 10"
tb_pass "carpd follows the OpenBSD rules on the demote byte"
