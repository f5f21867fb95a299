#!/usr/bin/env bash
# Advert send errors demote (OpenBSD: 3 in a row): on the firewall bed
# (lib_fw.sh), fw1's outside vhid ignores the interface state (-S), so
# when fw1's eth1 is set administratively down it stays MASTER and its
# adverts fail to go out.  After 3 errors in a row its groups are demoted
# and fw2 takes both addresses; set up again (a link event), the
# demotion is lifted and fw1 takes both back.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_fw.sh
. "${top_srcdir:-.}/tests/netns/lib_fw.sh"

tb_init
fw_bed
fw_conf fw1 0 "ignoreifstate"
fw_conf fw2 100
tm_carpd_conf fw1
tm_carpd_conf fw2
fw_wait fw1 10 || tm_fail "fw1 did not hold both addresses"

tb_log "fw1's eth1 set down"
"$TB_IP" -n "${TB_NS[fw1]}" link set eth1 down
tb_wait_log fw1 'vhid 2 on eth1: 3 advert send errors in a row: demoting its groups by 1' 6 ||
    tm_fail "fw1 did not demote for its send errors"
tm_wait_settled eth0 "$FW_IN" fw2 3 || tm_fail "fw2 did not take the inside address"
tm_ctl fw1 status | grep -q '^group fw: demotion 1, 2 vhids send-errors=1$' ||
    tm_fail "fw1's status does not show the send-error demotion"

tb_log "fw1's eth1 set up"
"$TB_IP" -n "${TB_NS[fw1]}" link set eth1 up
"$TB_IP" -n "${TB_NS[fw1]}" addr add 198.51.100.1/24 dev eth1 2>/dev/null
tb_wait_log fw1 'vhid 2 on eth1: link up: send-error demotion lifted' 8 ||
    tm_fail "the send-error demotion was not lifted"
fw_wait fw1 8 || tm_fail "fw1 did not take both addresses back"
tb_pass "advert send errors demoted the group, the link's return lifted it"
