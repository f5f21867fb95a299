#!/usr/bin/env bash
# SIGHUP reloads the configuration file.  Hosts a (preferred, advskew 0,
# preempt) and b (advskew 100) share vhids 1, 2 and 3 on eth0; a is master
# of all three.  a's file then changes:
#   vhid 1  unchanged: keeps its state and timers (same transitions and
#           last change in carpctl status --json, no script event, its
#           adverts go on every second with a counter that never restarts)
#   vhid 2  advskew 0 -> 20: restarts, and ends MASTER again (preempt)
#   vhid 3  removed: a bows out and releases the VIP, b takes it
#   vhid 4  added, on eth1 (an interface a did not use): comes up MASTER
# A reload of an unchanged file keeps everything; a reload of a broken
# file is refused with a log line and keeps everything.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

tb_init
tb_switch
tm_switch2
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tm_iface a eth1 198.51.100.1/24
tm_iface b eth1 198.51.100.2/24
tb_scripts
pass=$(tb_passfile group "reload $$")

# conf HOST SKEW2 VHIDS...: HOST's file with vhids among 1-4 (vhid 2 at
# advskew SKEW2, the others at the host's own skew).
conf() {
	local h=$1 skew2=$2 v own
	shift 2
	[ "$h" = a ] && own=0 || own=100
	tm_globals "$h"
	cat <<-EOF
	interface eth0 {
		passfile $pass
		preempt
		upscript $TB_DIR/$h.up
		downscript $TB_DIR/$h.down
	EOF
	for v in "$@"; do
		case $v in
		1|3) printf '\tvhid %s { addr 192.0.2.10%s; advskew %s }\n' \
		    "$v" "$v" "$own" ;;
		2) printf '\tvhid 2 { addr 192.0.2.102; advskew %s }\n' "$skew2" ;;
		esac
	done
	echo "}"
	case " $* " in
	*" 4 "*) cat <<-EOF
		vhid 4 {
			interface eth1
			addr 198.51.100.104
			passfile $pass
			preempt
			upscript $TB_DIR/$h.up
			downscript $TB_DIR/$h.down
		}
		EOF
		;;
	esac
}

conf a 0 1 2 3 | tm_conf a
conf b 100 1 2 3 | tm_conf b
tb_capture
tm_carpd_conf a
tm_carpd_conf b
tm_wait_ctl a 5 || tm_fail "a: no control socket"
tm_wait_ctl b 5 || tm_fail "b: no control socket"

# shellcheck disable=SC2317 # called through tb_until
a_masters() {
	local v
	for v in "$@"; do
		tm_state_is a "$v" eth0 MASTER && tm_state_is b "$v" eth0 BACKUP &&
		    tm_only_holder eth0 "192.0.2.10$v" a || return 1
	done
}
tb_until 10 a_masters 1 2 3 || tm_fail "a did not become master of 1, 2, 3"
tb_holds 1.5 a_masters 1 2 3 || tm_fail "a did not stay master of 1, 2, 3"

reloads=0
# reload HOST ERE: SIGHUP, then wait for HOST's log to show ERE once more.
reload() {
	local n
	n=$(tb_count "$1" "$2")
	tb_signal "$1" HUP
	tb_until 5 tm_log_more "$1" "$2" "$n" ||
	    tm_fail "$1: no log line /$2/ after SIGHUP"
	reloads=$((reloads + 1))
}

# --- 1. the same file again: nothing moves.
before_a=$(tm_table a)
before_b=$(tm_table b)
ev0=$(wc -l <"$TB_EVENTS")
reload a "reloaded $TB_DIR/a.conf: 3 vhids kept, 0 added, 0 changed, 0 removed"
reload b "reloaded $TB_DIR/b.conf: 3 vhids kept, 0 added, 0 changed, 0 removed"
sleep 1.5
[ "$(tm_table a)" = "$before_a" ] || tm_fail "a: status changed on a reload of the same file"
[ "$(tm_table b)" = "$before_b" ] || tm_fail "b: status changed on a reload of the same file"
[ "$(wc -l <"$TB_EVENTS")" -eq "$ev0" ] || tm_fail "script events on a reload of the same file"
tb_log "reload of the same file: nothing moved"

# --- 2. keep 1, change 2, remove 3, add 4.
row1_a=$(tm_row a 1 eth0)
row1_b=$(tm_row b 1 eth0)
ev_101=$(tm_ev_count a 192.0.2.101)
ev_101b=$(tm_ev_count b 192.0.2.101)
t_reload=$(date +%s.%N)
conf a 20 1 2 4 | tm_conf a
reload a "reloaded $TB_DIR/a.conf: 1 vhids kept, 1 added, 1 changed, 1 removed"
tb_loggrep a "reload: vhid 3 on eth0 removed" || tm_fail "a: no 'vhid 3 removed' line"
tb_loggrep a "reload: vhid 2 on eth0 changed, restarting it" ||
    tm_fail "a: no 'vhid 2 changed' line"

# vhid 3: a released the VIP (down script), b holds it.
tm_wait_settled eth0 192.0.2.103 b 5 || tm_fail "vhid 3: b is not the only holder after a dropped it"
tb_events_grep " a down eth0 192\.0\.2\.103 " || tm_fail "vhid 3: no down event on a"
tm_row a 3 eth0 | grep -q . && tm_fail "vhid 3 still in a's status"
tm_state_is b 3 eth0 MASTER || tm_fail "vhid 3: b is not MASTER"
# vhid 4: a new vhid on a new interface comes up (master-down: 3 s).
tb_until 10 tm_state_is a 4 eth1 MASTER || tm_fail "vhid 4 did not become MASTER on a"
tm_wait_settled eth1 198.51.100.104 a 3 || tm_fail "vhid 4: a does not hold its VIP"
# vhid 2: restarted (a new vhid: its counters start again), advskew 20,
# MASTER again (preempt).
tb_until 8 a_masters 2 || tm_fail "vhid 2 is not back on a after its restart"
[ "$(tb_count a 'vhid 2 on eth0: INIT -> BACKUP \(startup\)')" -eq 2 ] ||
    tm_fail "vhid 2 did not start again"
row2=$(tm_ctl a status --json | "$TM_PY" -c '
import json, sys
for v in json.load(sys.stdin)["vhids"]:
    if v["vhid"] == 2:
        print(v["advskew"], v["last_change_unix"])')
[ "${row2% *}" = 20 ] || tm_fail "vhid 2: advskew ${row2% *} after the reload, expected 20"
[ "${row2#* }" -ge "${t_reload%.*}" ] ||
    tm_fail "vhid 2: last change ${row2#* } before the reload (${t_reload%.*})"
# vhid 1: untouched on both hosts.
tb_holds 2 a_masters 1 2 || tm_fail "a lost vhid 1 or 2"
[ "$(tm_row a 1 eth0)" = "$row1_a" ] ||
    tm_fail "vhid 1 on a: '$row1_a' became '$(tm_row a 1 eth0)'"
[ "$(tm_row b 1 eth0)" = "$row1_b" ] ||
    tm_fail "vhid 1 on b: '$row1_b' became '$(tm_row b 1 eth0)'"
if [ "$(tm_ev_count a 192.0.2.101)" -ne "$ev_101" ] ||
    [ "$(tm_ev_count b 192.0.2.101)" -ne "$ev_101b" ]; then
	tm_fail "script events for vhid 1 after the reload"
fi
tb_log "reload: 1 kept, 2 restarted, 3 removed, 4 added"

# vhid 1's adverts went on across the reload: only a sent them, at most
# 1.5 s apart, and the counter never went back.
tb_capture_stop
tb_adverts | "$TM_PY" -c '
import re, sys
t0 = float(sys.argv[1])
bad, last, lastc, after = [], None, None, 0
for line in sys.stdin:
    m = re.match(r"(\S+) (\S+) > .* vhid=1 .*counter=(\d+)", line)
    if not m:
        continue
    t, src, c = float(m.group(1)), m.group(2), int(m.group(3))
    if src != "192.0.2.1":
        bad.append("advert for vhid 1 from %s at %.3f" % (src, t))
    if last is not None and (t - last > 1.5 or c <= lastc):
        bad.append("%.3f s after the last one, counter %d -> %d, at %.3f"
                   % (t - last, lastc, c, t))
    after += t > t0
    last, lastc = t, c
if after < 3:
    bad.append("only %d adverts after the reload" % after)
print("; ".join(bad))
sys.exit(1 if bad else 0)
' "$t_reload" >"$TB_DIR/vhid1.check" ||
    tm_fail "vhid 1's adverts: $(cat "$TB_DIR/vhid1.check")"
tb_capture

# --- 3. a broken file: refused, everything kept.
before_a=$(tm_table a)
ev0=$(wc -l <"$TB_EVENTS")
{ conf a 20 1 2 4; echo "frobnicate yes"; } | tm_conf a
line=$(wc -l <"$TB_DIR/a.conf")
reload a "reload failed: $TB_DIR/a.conf:$line: unknown setting \"frobnicate\"; allowed here: .*; keeping the running configuration"
sleep 1.5
tb_alive a || tm_fail "a died on a broken file"
[ "$(tm_table a)" = "$before_a" ] || tm_fail "a: status changed after a refused reload"
[ "$(wc -l <"$TB_EVENTS")" -eq "$ev0" ] || tm_fail "script events after a refused reload"
a_masters 1 2 || tm_fail "a lost a vhid after a refused reload"
tm_only_holder eth1 198.51.100.104 a || tm_fail "a lost vhid 4 after a refused reload"
# and a world-readable file with a password in it.
conf a 20 1 2 4 | sed "s|passfile $pass|pass secret|" | tm_conf a
chmod 644 "$TB_DIR/a.conf"
reload a "reload failed: $TB_DIR/a.conf:[0-9]+: pass: the file is readable by other users; chmod 600 it or use passfile; keeping the running configuration"
[ "$(tm_table a)" = "$before_a" ] || tm_fail "a: status changed after a refused reload"

for h in a b; do
	tb_alive "$h" || tm_fail "$h died"
done
tb_pass "$reloads reloads: kept vhids untouched, changed restarted, removed released, added up, broken refused"
