#!/usr/bin/env bash
# The master crashes (kill -9, VIP gone): the backup takes over after its
# master-down interval (and within 3x of it), and is the only holder.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

VIP=192.0.2.100
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
pass=$(tb_passfile group "failover $$")

common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1)
tb_carpd a "${common[@]}" -k 0 -P -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_settled "$VIP" a 8 || tb_fail "a did not become the only holder"
tb_holds 1.5 tb_only_holder "$VIP" a || tb_fail "a did not stay the only holder"

t_crash=$(date +%s.%N)
tb_crash a
tb_holders "$VIP" | grep -q . && tb_fail "the VIP is still held after the crash"
# b's master-down interval: 3 * 1 + 100/256 = 3.39 s.
tb_wait_settled "$VIP" b 10.2 || tb_fail "b did not take over within 3x master-down"
took=$(tb_elapsed "$t_crash" "$(tb_event_time ' b up ')")
tb_wait_log b 'vhid 7 on eth0: BACKUP -> MASTER \(master-down\)' 2 ||
	tb_fail "b: no BACKUP -> MASTER (master-down) line"
# a's last advert left at most 1 s before the crash: b must have waited
# at least 3.39 - 1 s for it.
tb_lt 2.0 "$took" || tb_fail "b took over after $took s, before master-down"
tb_holds 1.5 tb_only_holder "$VIP" b || tb_fail "b did not stay the only holder"
tb_alive b || tb_fail "b died"

tb_pass "b took over $took s after the crash"
