#!/usr/bin/env bash
# A third node with the wrong password, the best advskew and --preempt
# cannot disturb the group: its adverts fail the HMAC check (logged as
# drops), the master and the backup do not change.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

VIP=192.0.2.100
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_host c 192.0.2.3/24
tb_scripts
good=$(tb_passfile group "right $$")
bad=$(tb_passfile intruder "wrong $$")

common=(-i eth0 -v 7 -a "$VIP" -b 1)
tb_carpd a "${common[@]}" -o "$good" -k 50 -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${common[@]}" -o "$good" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_settled "$VIP" a 8 || tb_fail "a did not become the only holder"
a_moves=$(tb_count a ' -> ')
b_moves=$(tb_count b ' -> ')

# c hears nothing it can verify, so it becomes MASTER after 3 s and
# advertises every second with advskew 0. It has no scripts: the test
# watches the group, not the intruder's own idea of it.
tb_carpd c "${common[@]}" -o "$bad" -k 0 -P
drop='eth0: dropped packet from 192\.0\.2\.3: hmac'
tb_wait_log a "$drop" 8 || tb_fail "a: no hmac drop logged for c's adverts"
tb_wait_log b "$drop" 2 || tb_fail "b: no hmac drop logged for c's adverts"
tb_loggrep c 'vhid 7 on eth0: BACKUP -> MASTER' ||
	tb_fail "c never became MASTER: it sent no adverts to drop"
tb_loggrep c 'dropped packet from 192\.0\.2\.1: hmac' ||
	tb_fail "c: no hmac drop logged for a's adverts"

# c's adverts keep coming; the group must not move.
tb_holds 3 tb_only_holder "$VIP" a || tb_fail "a lost the VIP to the intruder"
[ "$(tb_count a ' -> ')" -eq "$a_moves" ] || tb_fail "a changed state"
[ "$(tb_count b ' -> ')" -eq "$b_moves" ] || tb_fail "b changed state"
{ tb_alive a && tb_alive b && tb_alive c; } || tb_fail "a daemon died"

tb_pass "intruder dropped (hmac), a still master"
