#!/usr/bin/env bash
# The preferred master (lower advskew, --preempt) crashes and comes back:
# it takes the VIP back at once, the other runs its down script and
# releases it; exactly one holder at the end.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

VIP=192.0.2.100
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
pass=$(tb_passfile group "preempt $$")

common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1)
a_args=("${common[@]}" -k 0 -P -u "$TB_DIR/a.up" -d "$TB_DIR/a.down")
tb_carpd a "${a_args[@]}"
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_settled "$VIP" a 8 || tb_fail "a did not become the only holder"

tb_crash a
tb_wait_settled "$VIP" b 10.2 || tb_fail "b did not take over"
b_downs=$(tb_events ' b down ')

t_back=$(date +%s.%N)
tb_carpd a "${a_args[@]}"
# a starts BACKUP, hears b's less frequent adverts and preempts at once:
# well before its own master-down interval (3 s) would end.
tb_wait_settled "$VIP" a 6 || tb_fail "a did not take the VIP back"
took=$(tb_elapsed "$t_back" "$(tb_event_time ' a up ')")
tb_wait_log a 'vhid 7 on eth0: BACKUP -> MASTER \(preempt\)' 2 ||
	tb_fail "a: no BACKUP -> MASTER (preempt) line"
tb_wait_log b 'vhid 7 on eth0: MASTER -> BACKUP \(preferred-master\)' 2 ||
	tb_fail "b: no MASTER -> BACKUP (preferred-master) line"
tb_wait_events ' b down ' "$b_downs" 2 ||
	tb_fail "b did not run its down script"
tb_holds 2 tb_only_holder "$VIP" a || tb_fail "a did not stay the only holder"
[ "$(tb_count b ' -> MASTER ')" -eq 1 ] || tb_fail "b flapped"
{ tb_alive a && tb_alive b; } || tb_fail "a daemon died"

tb_pass "a took the VIP back $took s after restarting"
