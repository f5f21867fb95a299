#!/usr/bin/env bash
# Two carpd hosts with different advskew elect exactly one master: the
# preferred one (lower advskew) holds the VIP, the other stays BACKUP.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

VIP=192.0.2.100
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
pass=$(tb_passfile group "elect $$")

common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1)
tb_carpd a "${common[@]}" -k 0 -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
t_start=$(date +%s.%N)
# b starts once a runs, so a's master-down timer (3 s) ends before b's
# (3.39 s) and neither needs --preempt to get the expected result.
tb_wait_log a 'vhid 7 on eth0: INIT -> BACKUP \(startup\)' 5 ||
	tb_fail "a did not start"
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_log b 'vhid 7 on eth0: INIT -> BACKUP \(startup\)' 5 ||
	tb_fail "b did not start"

tb_wait_settled "$VIP" a 8 || tb_fail "a did not become the only holder"
# Past b's own master-down interval: b must have heard a and stayed.
tb_holds 2.5 tb_only_holder "$VIP" a ||
	tb_fail "a did not stay the only holder"
{ tb_alive a && tb_alive b; } || tb_fail "a daemon died"

# The transition lines.
[ "$(tb_count a 'vhid 7 on eth0: BACKUP -> MASTER \(master-down\)')" -eq 1 ] ||
	tb_fail "a: expected one BACKUP -> MASTER (master-down) line"
[ "$(tb_count a ' -> (BACKUP|INIT) ')" -eq 1 ] ||
	tb_fail "a: unexpected step down"
[ "$(tb_count b ' -> MASTER ')" -eq 0 ] || tb_fail "b became MASTER"
# Scripts: both ran the down script at start (no --neutral), only a the
# up script, and a waited one master-down interval before going up.
tb_events_grep '^[0-9.]+ a down eth0 192\.0\.2\.100 ' || tb_fail "a: no down at start"
tb_events_grep '^[0-9.]+ b down eth0 192\.0\.2\.100 ' || tb_fail "b: no down at start"
[ "$(tb_events ' a up ')" -eq 1 ] || tb_fail "a: expected one up"
tb_events_grep ' b up ' && tb_fail "b ran its up script"
waited=$(tb_elapsed "$t_start" "$(tb_event_time ' a up ')")
tb_lt 2.5 "$waited" || tb_fail "a became MASTER after $waited s, before master-down"

tb_pass "a master after $waited s, b backup"
