#!/usr/bin/env bash
# The firewall pair (lib_fw.sh) with Debian's ucarp on fw2 (advskew 100,
# preempt), which ignores the demote byte: cutting fw1's outside port
# still moves both addresses, because a demoted carpd advertises advskew
# 240 (demote-advskew max, the default): ucarp's inside vhid preempts
# it, and its outside vhid takes over at its master-down interval.  The
# client reaches the server through fw2.  Healing the port: fw1 preempts
# both back.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_fw.sh
. "${top_srcdir:-.}/tests/netns/lib_fw.sh"

tb_init
fw_bed
fw_conf fw1 0
tm_carpd_conf fw1
fw_wait fw1 10 || tm_fail "fw1 did not hold both addresses"
pass=$(head -n 1 "$FW_PASS")
tb_daemon fw2 "$TB_UCARP" -i eth0 -s 192.0.2.2 -v 1 -p "$pass" \
    -a "$FW_IN" -b 1 -k 100 -P -u "$TB_DIR/fw2.up" -d "$TB_DIR/fw2.down"
tb_daemon fw2 "$TB_UCARP" -i eth1 -s 198.51.100.2 -v 2 -p "$pass" \
    -a "$FW_OUT" -b 1 -k 100 -P -u "$TB_DIR/fw2.up" -d "$TB_DIR/fw2.down"
tb_wait_log fw2 'Switching to state: BACKUP' 5 || tm_fail "ucarp did not start"
tb_holds 4 fw_holds fw1 || tm_fail "fw1 did not stay the holder of both"
fw_wait_reach 5 || tm_fail "the client did not reach the server through fw1"

tb_log "cutting fw1's outside port"
t0=$(tb_now_us)
tm_partition2 fw1 eth1
tm_wait_settled eth0 "$FW_IN" fw2 3 ||
    tm_fail "ucarp did not take the inside address at fw1's next advert"
t_in=$(tb_now_us)
fw_wait fw2 6 || tm_fail "ucarp did not take both addresses"
t_out=$(tb_now_us)
tb_log "inside moved after $(( (t_in - t0) / 1000 )) ms, both after $(( (t_out - t0) / 1000 )) ms"
tb_loggrep fw1 'vhid 1 on eth0: MASTER -> BACKUP \(demoted\)' ||
    tm_fail "fw1 did not step down to ucarp for its demotion"
tm_ctl fw1 status --json | "$TM_PY" -c '
import json, sys
v = [v for v in json.load(sys.stdin)["vhids"] if v["vhid"] == 1][0]
sys.exit(0 if v["advskew_sent"] == 240 and v["demote"] == 2 else 1)' ||
    tm_fail "fw1's inside vhid does not advertise advskew 240, demote 2"
fw_wait_reach 5 || tm_fail "the client did not reach the server through fw2"

tb_log "healing fw1's outside port"
tm_heal2 fw1 eth1
fw_wait fw1 8 || tm_fail "fw1 did not take both addresses back from ucarp"
fw_wait_reach 5 || tm_fail "the client did not reach the server through fw1 again"
tb_pass "a ucarp backup took both addresses on the demotion and gave them back"
