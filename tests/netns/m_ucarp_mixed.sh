#!/usr/bin/env bash
# A mixed LAN: host a runs one carpd with vhids 1, 2 and 3 from a file
# (advskew 0); host b runs Debian's ucarp for vhid 3 only (advskew 100,
# same password and VIP).  Vhid 3 fails over both ways, and vhids 1 and 2
# never move (same transitions and last change, no script event):
#   1. a is master of all three, ucarp backup
#   2. `carpctl backup 3` on a: ucarp takes vhid 3 at once (bow-out)
#   3. ucarp crashes: a takes vhid 3 back after its master-down interval
#   4. ucarp comes back and stays backup
#   5. the switch stops forwarding a's frames (a's link stays up): ucarp
#      takes vhid 3 (master-down); healed, ucarp hears a's more frequent
#      adverts and steps down, a never moves
# No advert of either side is rejected.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

PASS="mixed$$"
VIP3=192.0.2.103
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
passfile=$(tb_passfile group "$PASS")

{
	tm_globals a
	cat <<-EOF
	interface eth0 {
		passfile $passfile
		upscript $TB_DIR/a.up
		downscript $TB_DIR/a.down
		vhid 1 { addr 192.0.2.101 }
		vhid 2 { addr 192.0.2.102; preempt }
		vhid 3 { addr $VIP3 }
	}
	EOF
} | tm_conf a

ucarp_b() {
	tb_ucarp b -i eth0 -s "${TB_ADDR[b]}" -v 3 -p "$PASS" -a "$VIP3" \
	    -b 1 -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
}

tm_carpd_conf a
tm_wait_ctl a 5 || tm_fail "a: no control socket"

# shellcheck disable=SC2317 # called through tb_until
a_has() {
	local v
	for v in "$@"; do
		tm_state_is a "$v" eth0 MASTER && tb_only_holder "192.0.2.10$v" a ||
		    return 1
	done
}
tb_until 8 a_has 1 2 3 || tm_fail "a did not become master of 1, 2, 3"
# ucarp joins a running master: it reads its capture up to 1 s late, so
# started together with a it could miss a's first advert (ucarp's race).
ucarp_b
tb_wait_log b "Switching to state: BACKUP" 5 || tm_fail "ucarp did not start"
tb_holds 4 a_has 1 2 3 || tm_fail "a did not stay master of 1, 2, 3 (ucarp's master-down is 3.39 s)"
rows12=$(tm_row a 1 eth0; tm_row a 2 eth0)
ev12=$(tb_events ' (192\.0\.2\.101|192\.0\.2\.102) ')
tb_log "1. a master of 1, 2, 3; ucarp backup of 3"

# 2. carpd -> ucarp: a bows out, ucarp takes over at once.
t0=$(date +%s.%N)
tm_ctl a backup 3 >/dev/null || tm_fail "carpctl backup 3 failed"
tb_wait_settled "$VIP3" b 5 || tm_fail "ucarp did not take vhid 3"
took=$(tb_elapsed "$t0" "$(tb_event_time ' b up eth0 192\.0\.2\.103 ')")
tb_lt "$took" 2 || tm_fail "ucarp took vhid 3 $took s after the bow-out: not at once"
tb_loggrep b "Switching to state: MASTER" || tm_fail "ucarp: no MASTER line"
tb_holds 2 tb_only_holder "$VIP3" b || tm_fail "ucarp did not keep vhid 3"
tm_state_is a 3 eth0 BACKUP || tm_fail "a is not BACKUP for vhid 3"
tb_log "2. carpctl backup 3: ucarp took over after $took s"

# 3. ucarp -> carpd: ucarp crashes, a takes over after 3 s (loosely 3x).
t0=$(date +%s.%N)
tb_crash b
tb_until 10 a_has 3 || tm_fail "a did not take vhid 3 back after ucarp's crash"
took=$(tb_elapsed "$t0" "$(tb_event_time ' a up eth0 192\.0\.2\.103 ')")
tb_loggrep a 'vhid 3 on eth0: BACKUP -> MASTER \(master-down\)' ||
    tm_fail "a: no master-down line for vhid 3"
tb_log "3. ucarp crashed: a took vhid 3 after $took s"

# 4. ucarp comes back as backup and stays so.
ucarp_b
tb_holds 5 a_has 3 || tm_fail "a lost vhid 3 to a restarted ucarp"
tb_loggrep b "Switching to state: MASTER" &&
    [ "$(tb_count b 'Switching to state: MASTER')" -gt 1 ] &&
    tm_fail "the restarted ucarp became MASTER"
tb_log "4. ucarp back, backup"

# 5. a is cut off (its link stays up): ucarp takes over; healed, it steps
# down.
tr3=$(tm_row a 3 eth0 | awk '{ print $4 }')
ups=$(tb_count b 'Switching to state: MASTER')
tm_cut a
tb_until 10 tm_log_more b 'Switching to state: MASTER' "$ups" ||
    tm_fail "ucarp did not take over while a was cut off"
tb_wait_master b "$VIP3" 3 || tm_fail "ucarp's up script did not add the VIP"
downs=$(tb_count b 'Switching to state: BACKUP')
tm_mend a
tb_until 5 tm_log_more b 'Switching to state: BACKUP' "$downs" ||
    tm_fail "ucarp did not step down when a came back"
tb_until 3 tb_only_holder "$VIP3" a || tm_fail "a is not the only holder of vhid 3 after the heal"
tb_holds 2 a_has 1 2 3 || tm_fail "a did not keep 1, 2, 3 after the heal"
[ "$(tm_row a 3 eth0 | awk '{ print $4 }')" = "$tr3" ] ||
    tm_fail "a: vhid 3 changed state during the partition (ucarp is less preferred)"
tb_log "5. partition: ucarp took over, stepped down at the heal"

# Vhids 1 and 2 never moved; every advert was understood.
[ "$(tm_row a 1 eth0; tm_row a 2 eth0)" = "$rows12" ] ||
    tm_fail "vhid 1 or 2 changed: $rows12 -> $(tm_row a 1 eth0; tm_row a 2 eth0)"
[ "$(tb_events ' (192\.0\.2\.101|192\.0\.2\.102) ')" = "$ev12" ] ||
    tm_fail "script events for vhids 1 or 2"
bad=$(tm_ctl a status --json | "$TM_PY" -c '
import json, sys
d = json.load(sys.stdin)
n = sum(sum(v["bad_packets"].values()) for v in d["vhids"])
n += sum(sum(i["bad_packets"].values()) - i["bad_packets"]["unknown-vhid"]
         for i in d["interfaces"])
print(n)')
[ "$bad" = 0 ] || tm_fail "carpd counted $bad bad packets"
tb_loggrep b 'Bad ' && tm_fail "ucarp rejected adverts"
tb_alive a || tm_fail "carpd died"
tb_pass "vhid 3 went carpd -> ucarp -> carpd -> ucarp -> carpd; vhids 1 and 2 never moved"
