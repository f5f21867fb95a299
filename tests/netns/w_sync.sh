#!/usr/bin/env bash
# Sync groups on the firewall pair (lib_fw.sh): vhids 1 (inside) and 2
# (outside) in demote-group fw and sync-group fw, fw1 advskew 0, fw2 100.
#  1. Cut fw1's outside switch port: fw1's demotion moves the inside
#     address to fw2 at once (demoted-master), and the sync group pulls
#     fw2's outside vhid up with it (sync-group) instead of letting it
#     wait its master-down interval (3 + 100/256 s): both addresses on fw2
#     well under that.  The client reaches the server through fw2; the
#     scripts see CARP_REASON=sync-group.  Healed, with preempt, both come
#     back to fw1.
#  2. A partition of the inside switch alone (fw1's port stops
#     forwarding, its carrier stays: no demotion): fw2's inside vhid takes
#     over (master-down) and pulls its outside vhid up, but fw1 is still
#     the healthy, preferred master outside: it answers, and fw2's outside
#     vhid steps back (preferred-master) and stays BACKUP, no flapping,
#     while fw1 keeps the outside address.  Mended, fw1 holds both.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_fw.sh
. "${top_srcdir:-.}/tests/netns/lib_fw.sh"

# The time of HOST's first log line matching ERE (the stderr clock: local
# time of day, to the microsecond), in seconds since midnight.
log_time() {
	grep -E -m 1 -- "$2" "$TB_DIR/$1.log" |
	    awk '{ split($1, t, ":"); printf "%.6f\n", t[1] * 3600 + t[2] * 60 + t[3] }'
}

tb_init
fw_bed
fw_conf fw1 0 "sync-group fw"
fw_conf fw2 100 "sync-group fw"
tm_carpd_conf fw1
fw_wait fw1 10 || tm_fail "fw1 did not hold both addresses"
tm_carpd_conf fw2
tm_wait_state fw2 1 eth0 BACKUP 10 || tm_fail "fw2's vhid 1 is not BACKUP"
tm_wait_state fw2 2 eth1 BACKUP 10 || tm_fail "fw2's vhid 2 is not BACKUP"
tm_ctl fw2 status --json | "$TM_PY" -c 'import json, sys
d = json.load(sys.stdin)
sys.exit(0 if [v["sync_group"] for v in d["vhids"]] == ["fw", "fw"] else 1)' ||
    tm_fail "fw2's status does not show sync group fw for both vhids"
fw_wait_reach 5 || tm_fail "the client did not reach the server through fw1"
sleep 1.5

# ---- 1: the outside link of the master goes ----
tb_log "cutting fw1's outside port"
t0=$(tb_now_us)
tm_partition2 fw1 eth1
# Without the sync group the outside address moves after 3.39 s.
fw_wait fw2 3 || tm_fail "fw2 did not take both addresses before its master-down interval"
t_both=$(tb_now_us)
ms=$(( (t_both - t0) / 1000 ))
tb_log "both addresses on fw2 after $ms ms (master-down interval 3390 ms)"
[ "$ms" -lt 1000 ] || tm_fail "both addresses took $ms ms, not well under the master-down interval"
tb_loggrep fw2 'vhid 1 on eth0: BACKUP -> MASTER \(demoted-master\)' ||
    tm_fail "fw2's vhid 1 did not take over for the demotion"
tb_loggrep fw2 'sync group fw: vhid 1 on eth0 took over \(demoted-master\): the group follows' ||
    tm_fail "fw2 did not say that its sync group follows"
tb_loggrep fw2 'vhid 2 on eth1: BACKUP -> MASTER \(sync-group\)' ||
    tm_fail "fw2's vhid 2 was not pulled up by its sync group"
a=$(log_time fw2 'vhid 1 on eth0: BACKUP -> MASTER')
b=$(log_time fw2 'vhid 2 on eth1: BACKUP -> MASTER')
d=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }')
tb_log "fw2: vhid 2 followed vhid 1 after $d ms"
tb_lt "$d" 500 || tm_fail "vhid 2 followed vhid 1 only after $d ms"
tb_wait_event "fw2 up eth1 $FW_OUT MASTER sync-group" 5 ||
    tm_fail "fw2's up script for vhid 2 did not get CARP_REASON=sync-group"
tm_ctl fw2 status --json | "$TM_PY" -c 'import json, sys
d = json.load(sys.stdin)
r = {v["vhid"]: v["reason"] for v in d["vhids"]}
sys.exit(0 if r == {1: "demoted-master", 2: "sync-group"} else 1)' ||
    tm_fail "fw2's status does not show the reasons demoted-master and sync-group"
tm_ctl fw2 metrics | grep -q '^carpd_vhid_transitions_total{vhid="2",interface="eth1",reason="sync-group"} 1$' ||
    tm_fail "fw2's metrics do not count vhid 2's sync-group transition"
fw_wait_reach 5 || tm_fail "the client did not reach the server through fw2"

tb_log "healing fw1's outside port"
tm_heal2 fw1 eth1
fw_wait fw1 8 || tm_fail "fw1 did not take both addresses back"
fw_wait_reach 5 || tm_fail "the client did not reach the server through fw1 again"
tm_wait_state fw2 1 eth0 BACKUP 5 || tm_fail "fw2's vhid 1 did not step back"
tm_wait_state fw2 2 eth1 BACKUP 5 || tm_fail "fw2's vhid 2 did not step back"
sleep 1.5

# ---- 2: a pull-up against a healthy, preferred master ----
n1=$(tm_tr_count fw2 1 eth0)
n2=$(tm_tr_count fw2 2 eth1)
m2=$(tm_tr_count fw1 2 eth1)
pulls=$(tb_count fw2 'vhid 2 on eth1: BACKUP -> MASTER \(sync-group\)')
tb_log "partition of the inside switch at fw1's port (its carrier stays)"
tm_cut fw1 eth0
tb_wait_log fw2 'vhid 1 on eth0: BACKUP -> MASTER \(master-down\)' 8 ||
    tm_fail "fw2's vhid 1 did not take over after the partition"
tb_until 5 tm_log_more fw2 'vhid 2 on eth1: BACKUP -> MASTER \(sync-group\)' "$pulls" ||
    tm_fail "fw2's vhid 2 was not pulled up by vhid 1's takeover"
tb_until 5 tm_log_more fw2 'vhid 2 on eth1: MASTER -> BACKUP \(preferred-master\)' 0 ||
    tm_fail "fw2's vhid 2 did not step back to the preferred master fw1"
tb_log "fw2's vhid 2 stepped back; watching it for 6 s"
tb_holds 6 tm_only_holder eth1 "$FW_OUT" fw1 ||
    tm_fail "the outside address left fw1 after fw2's vhid 2 stepped back"
[ "$(tm_tr_count fw2 2 eth1)" -eq $((n2 + 2)) ] ||
    tm_fail "fw2's vhid 2 flapped: $(( $(tm_tr_count fw2 2 eth1) - n2 )) transitions, not 2"
[ "$(tm_tr_count fw2 1 eth0)" -eq $((n1 + 1)) ] ||
    tm_fail "fw2's vhid 1 changed state more than once in the partition"
[ "$(tm_tr_count fw1 2 eth1)" -eq "$m2" ] ||
    tm_fail "fw1's vhid 2 changed state while it was the preferred master"
tm_state_is fw2 2 eth1 BACKUP || tm_fail "fw2's vhid 2 is not BACKUP"
tm_state_is fw2 1 eth0 MASTER || tm_fail "fw2's vhid 1 is not MASTER in the partition"

tb_log "mending the inside switch"
tm_mend fw1 eth0
fw_wait fw1 8 || tm_fail "fw1 did not hold both addresses after the mend"
tm_wait_state fw2 1 eth0 BACKUP 5 || tm_fail "fw2's vhid 1 did not step back after the mend"
tm_state_is fw2 2 eth1 BACKUP || tm_fail "fw2's vhid 2 is not BACKUP after the mend"
# (The client may still send to fw2's MAC address, learnt from its
# gratuitous ARP in the partition, until its ARP entry goes stale: fw1
# re-announces only when it hears fw2's advert before fw2 hears its own.
# That is the inside partition's, not the sync group's.)
tb_pass "the sync group moved both addresses in $ms ms; a pull-up against the preferred master stepped back and stayed"
