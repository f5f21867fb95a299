#!/usr/bin/env bash
# Link state from rtnetlink.
#  1. The master loses carrier (its switch-side veth goes down): it logs
#     MASTER -> INIT (link-down) and runs its down script; the backup
#     takes over (the bow-out cannot get out on a dead link, so at its
#     master-down interval at the latest).  Carrier back: INIT -> BACKUP
#     (link-up), and the preempting master takes the address back.
#  2. The master's eth0 is deleted, and a new veth named eth0 (new index,
#     new MAC) is plugged into the switch with the same address: the
#     daemon logs the interface is back, rejoins (INIT -> BACKUP) and,
#     preempting, becomes master again; it sends from the new MAC.
#  3. With --ignoreifstate, carrier loss and its return change nothing
#     on that host.
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
pass=$(tb_passfile group "link $$")

common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1)
tb_carpd a "${common[@]}" -k 0 -P -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_settled "$VIP" a 8 || tb_fail "a did not become the only holder"
tb_holds 1 tb_only_holder "$VIP" a || tb_fail "a did not stay the only holder"

# 1. Carrier loss.
t0=$(date +%s.%N)
tb_partition a
tb_wait_log a 'vhid 7 on eth0: MASTER -> INIT \(link-down\)' 2 ||
	tb_fail "1: a: no MASTER -> INIT (link-down) within 2 s of carrier loss"
tb_wait_event ' a down eth0 192\.0\.2\.100 INIT link-down' 2 ||
	tb_fail "1: a's down script did not run (state INIT, reason link-down)"
tb_has a "$VIP" && tb_fail "1: a still holds the address"
# b's master-down interval is 3.39 s: 3x of it at most.
tb_wait_settled "$VIP" b 10.2 || tb_fail "1: b did not take over"
took1=$(tb_elapsed "$t0" "$(tb_event_time ' b up ')")
tb_holds 1 tb_only_holder "$VIP" b || tb_fail "1: b did not stay the only holder"
t0=$(date +%s.%N)
tb_heal a
tb_wait_log a 'vhid 7 on eth0: INIT -> BACKUP \(link-up\)' 2 ||
	tb_fail "1: a: no INIT -> BACKUP (link-up) within 2 s of carrier"
tb_wait_settled "$VIP" a 5 || tb_fail "1: a did not take the address back"
back1=$(tb_elapsed "$t0" "$(tb_event_time ' a up ')")
tb_loggrep a 'vhid 7 on eth0: BACKUP -> MASTER \(preempt\)' ||
	tb_fail "1: a: no BACKUP -> MASTER (preempt)"
tb_holds 1 tb_only_holder "$VIP" a || tb_fail "1: a did not stay the only holder"

# 2. A new eth0.
mac_old=$(ip -n "${TB_NS[a]}" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
t0=$(date +%s.%N)
th_replug a || tb_fail "2: could not replace a's eth0"
mac_new=$(ip -n "${TB_NS[a]}" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
tb_wait_log a 'eth0: interface removed' 2 || tb_fail "2: a: no \"interface removed\""
[ "$(tb_count a 'MASTER -> INIT \(link-down\)')" -eq 2 ] ||
	tb_fail "2: a: no MASTER -> INIT (link-down) when eth0 went away"
tb_wait_log a 'eth0: interface is back' 3 || tb_fail "2: a: no \"interface is back\""
tb_until 3 th_count_more a 'INIT -> BACKUP \(link-up\)' 1 ||
	tb_fail "2: a did not rejoin on the new eth0 (no INIT -> BACKUP (link-up))"
# b took over meanwhile or not: either way a preempts it back.
tb_wait_settled "$VIP" a 8 || tb_fail "2: a did not become master again on the new eth0"
back2=$(tb_elapsed "$t0" "$(tb_event_time ' a up ')")
[ "$(tb_count a 'BACKUP -> MASTER')" -ge 3 ] || tb_fail "2: a never became master again"
# Its adverts really leave from the new interface: b hears them.
tb_holds 4 tb_only_holder "$VIP" a || tb_fail "2: a did not stay the only holder (b hears no adverts from the new eth0?)"

# 3. --ignoreifstate: restart a with -S; b keeps it company.
tb_signal a TERM
tb_wait_exit a 5 || tb_fail "3: a did not exit"
tb_wait_settled "$VIP" b 3 || tb_fail "3: b did not take over from a's bow-out"
tb_carpd a "${common[@]}" -k 0 -P -S -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_wait_settled "$VIP" a 5 || tb_fail "3: a (-S) did not preempt"
n=$(th_transitions a)
tb_partition a
tb_wait_log a 'eth0: link down' 2 || tb_fail "3: a did not notice the carrier loss"
# Longer than a's own master-down interval: no transition, keeps the VIP.
tb_holds 3.5 tb_has a "$VIP" || tb_fail "3: a (-S) dropped the address on carrier loss"
tb_heal a
tb_wait_log a 'eth0: link up' 2 || tb_fail "3: a did not notice the carrier"
# The partition made b master too (it heard nothing): the heal settles it.
tb_wait_settled "$VIP" a 4 || tb_fail "3: a is not the only master after the heal"
[ "$(th_transitions a)" -eq "$n" ] ||
	tb_fail "3: a (-S) changed state: $(grep ' -> ' "$TB_DIR/a.log" | tail -n 1)"
tb_alive a || tb_fail "a died"
tb_alive b || tb_fail "b died"

tb_pass "carrier loss: b took over in $took1 s, a back $back1 s after carrier;" \
    "new eth0 ($mac_old -> $mac_new): a master again $back2 s after the swap;" \
    "-S: no transition"
