#!/usr/bin/env bash
# The firewall pair (lib_fw.sh): fw1 (advskew 0) holds both addresses,
# fw2 (advskew 100) is backup.  Cutting fw1's outside switch port (its
# eth1 loses the carrier) demotes fw1's groups: its inside vhid, whose
# link is fine, advertises the demotion (2: one for each of its groups
# carp and fw that the link loss demoted) and fw2 takes the inside address
# at once (demoted-master); the outside address follows when fw2's
# master-down interval runs out.  The client reaches the server through
# fw2.  Healing the port lifts the demotion and fw1 preempts both back.
# fw1's notify FIFO gets every transition, in order.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_fw.sh
. "${top_srcdir:-.}/tests/netns/lib_fw.sh"

tb_init
fw_bed
fw_conf fw1 0
echo "notify-fifo $TB_DIR/fw1.fifo" >>"$TB_DIR/fw1.conf"
fw_conf fw2 100
tm_carpd_conf fw1
tb_until 5 test -p "$TB_DIR/fw1.fifo" || tm_fail "fw1 made no notify FIFO"
cat "$TB_DIR/fw1.fifo" >"$TB_DIR/notify" &
TB_ALLPIDS+=("$!")
tm_carpd_conf fw2
fw_wait fw1 10 || tm_fail "fw1 did not hold both addresses"
fw_wait_reach 5 || tm_fail "the client did not reach the server through fw1"

tb_log "cutting fw1's outside port"
t0=$(tb_now_us)
tm_partition2 fw1 eth1
tm_wait_settled eth0 "$FW_IN" fw2 2 ||
    tm_fail "fw2 did not take the inside address at once"
t_in=$(tb_now_us)
# Master-down interval of fw2: 3 + 100/256 s; a loaded machine: margin.
fw_wait fw2 6 || tm_fail "fw2 did not take both addresses"
t_out=$(tb_now_us)
tb_log "inside moved after $(( (t_in - t0) / 1000 )) ms, both after $(( (t_out - t0) / 1000 )) ms"
tb_loggrep fw1 'vhid 1 on eth0: demotion now 2 \(was 0\)' ||
    tm_fail "fw1's inside vhid was not demoted"
tb_loggrep fw2 'vhid 1 on eth0: BACKUP -> MASTER \(demoted-master\)' ||
    tm_fail "fw2 did not take over for the demotion"
tm_ctl fw1 status | grep -q '^group fw: demotion 1, 2 vhids link=1$' ||
    tm_fail "fw1's status does not show group fw demoted by its link"
tm_ctl fw1 status | grep -q '^group carp: demotion 1, 2 vhids link=1$' ||
    tm_fail "fw1's status does not show group carp demoted by its link"
fw_wait_reach 5 || tm_fail "the client did not reach the server through fw2"

tb_log "healing fw1's outside port"
tm_heal2 fw1 eth1
fw_wait fw1 8 || tm_fail "fw1 did not take both addresses back"
tb_loggrep fw1 'vhid 1 on eth0: demotion now 0 \(was 2\)' ||
    tm_fail "fw1's demotion was not lifted"
fw_wait_reach 5 || tm_fail "the client did not reach the server through fw1 again"
tm_ctl fw1 status | grep -q '^group fw: demotion 0, 2 vhids$' ||
    tm_fail "fw1's group fw is still demoted"
# The notify FIFO saw every transition of fw1, in the log's order.
sleep 0.5
want=$(sed -n -E 's/.*carpd: vhid ([0-9]+) on ([a-z0-9]+): [A-Z]+ -> ([A-Z]+) .*/\1 \2 \3 fw/p' \
    "$TB_DIR/fw1.log")
[ "$(wc -l <<<"$want")" -ge 8 ] || tm_fail "fewer transitions than expected: $want"
[ "$(cat "$TB_DIR/notify")" = "$want" ] ||
    tm_fail "the notify FIFO got $(cat "$TB_DIR/notify"), the log says $want"
tb_pass "both addresses moved together and came back"
