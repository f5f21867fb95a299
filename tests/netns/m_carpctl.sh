#!/usr/bin/env bash
# carpctl against a running carpd.  a (advskew 0, preempt) and b (advskew
# 100) run vhids 1 and 2 on eth0 and vhid 1 on eth1 from their files.
#   status            a header and one row per vhid and interface
#   status --json     parses; pid is the daemon's (the PID we started)
#   backup 2 (on a)   b takes over at once (bow-out), a stays BACKUP
#                     although it preempts
#   master 2 (on a)   a takes it back at once, b steps down
#   master 1 eth1 (on b, the less preferred)  b is MASTER at once and steps
#                     down again at a's next advert (expected); nothing else
#                     moves
#   backup 1 eth1 / master 1 (on a)  one interface, then both
#   errors            unknown vhid or interface: exit 1 and a message;
#                     bad arguments: exit 1; no daemon: exit 2
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
pass=$(tb_passfile group "carpctl $$")

for h in a b; do
	if [ "$h" = a ]; then skew=0 pre=yes; else skew=100 pre=no; fi
	{
		tm_globals "$h"
		for n in 0 1; do
			cat <<-EOF
			interface eth$n {
				passfile $pass
				advskew $skew
				preempt $pre
				upscript $TB_DIR/$h.up
				downscript $TB_DIR/$h.down
			EOF
			if [ "$n" = 0 ]; then
				printf '\tvhid 1 { addr 192.0.2.101 }\n'
				printf '\tvhid 2 { addr 192.0.2.102 }\n'
			else
				printf '\tvhid 1 { addr 198.51.100.101 }\n'
			fi
			echo "}"
		done
	} | tm_conf "$h"
	tm_carpd_conf "$h"
done
tm_wait_ctl a 5 || tm_fail "a: no control socket"
tm_wait_ctl b 5 || tm_fail "b: no control socket"

# shellcheck disable=SC2317 # called through tb_until
masters() {	# masters HOST: HOST is MASTER of all three, the other BACKUP
	local h=$1 o=b
	[ "$h" = b ] && o=a
	tm_state_is "$h" 1 eth0 MASTER && tm_state_is "$h" 2 eth0 MASTER &&
	    tm_state_is "$h" 1 eth1 MASTER && tm_state_is "$o" 1 eth0 BACKUP &&
	    tm_state_is "$o" 2 eth0 BACKUP && tm_state_is "$o" 1 eth1 BACKUP &&
	    tm_only_holder eth0 192.0.2.101 "$h" &&
	    tm_only_holder eth0 192.0.2.102 "$h" &&
	    tm_only_holder eth1 198.51.100.101 "$h"
}
tb_until 10 masters a || tm_fail "a did not become master of everything"

# ctl HOST ARGS...: carpctl; $out, $err, $rc.
ctl() {
	local h=$1
	shift
	tm_ctl "$h" "$@" >"$TB_DIR/ctl.out" 2>"$TB_DIR/ctl.err"
	rc=$?
	out=$(cat "$TB_DIR/ctl.out")
	err=$(cat "$TB_DIR/ctl.err")
}

# expect RC OUT ERR WHAT
expect() {
	[ "$rc" = "$1" ] && [ "$out" = "$2" ] && [ "$err" = "$3" ] && return 0
	tm_fail "$4: exit $rc (want $1), stdout '$out' (want '$2'), stderr '$err' (want '$3')"
}

# --- status, text
ctl a status
[ "$rc" = 0 ] || tm_fail "status: exit $rc, stderr $err"
[ -z "$err" ] || tm_fail "status: stderr $err"
hdr=$(echo "$out" | head -n 1 | tr -s ' ')
[ "$hdr" = "VHID INTERFACE STATE MASTER ADVBASE/SKEW LAST-CHANGE REASON SENT RECEIVED BAD ADDRESSES" ] ||
    tm_fail "status: header '$hdr'"
rows=$(echo "$out" | tail -n +2 | grep -E '^[0-9]')
[ "$(echo "$rows" | wc -l)" = 3 ] || tm_fail "status: not 3 rows: $out"
stamp='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'
for want in "1 eth0 MASTER 192.0.2.1 1/0 $stamp master-down [0-9]+ 0 0 192.0.2.101" \
    "2 eth0 MASTER 192.0.2.1 1/0 $stamp master-down [0-9]+ 0 0 192.0.2.102" \
    "1 eth1 MASTER 198.51.100.1 1/0 $stamp master-down [0-9]+ 0 0 198.51.100.101"; do
	echo "$rows" | tr -s ' ' | grep -Eqx -- "$want" ||
	    tm_fail "status: no row /$want/ in: $out"
done
ctl b status
echo "$out" | tr -s ' ' | grep -Eqx -- "1 eth1 BACKUP 198.51.100.1 1/100 $stamp startup 0 [0-9]+ 0 198.51.100.101" ||
    tm_fail "b: status: no BACKUP row for vhid 1 on eth1 following 198.51.100.1: $out"

# --- status --json
ctl a status --json
[ "$rc" = 0 ] || tm_fail "status --json: exit $rc, stderr $err"
[ -z "$err" ] || tm_fail "status --json: stderr $err"
[ "$(echo "$out" | wc -l)" = 1 ] || tm_fail "status --json: not one line"
echo "$out" | /usr/bin/python3 -m json.tool >/dev/null ||
    tm_fail "status --json: not JSON: $out"
check=$(echo "$out" | "$TM_PY" -c '
import json, sys
d = json.load(sys.stdin)
print(len(d["vhids"]),
      ",".join("%s/%s/%s" % (v["vhid"], v["interface"], v["state"]) for v in d["vhids"]),
      ",".join(i["name"] for i in d["interfaces"]),
      len(d["vhids"][0]["bad_packets"]), d["vhids"][0]["preempt"],
      d["vhids"][2]["source"], d["vhids"][2]["addresses"][0])')
# One counter per drop reason of the codec (include/proto.h).
ndrops=$(grep -Ec '^[[:space:]]CARP_DROP_[A-Z0-9_]+,' "$top_srcdir/include/proto.h")
want="3 1/eth0/MASTER,2/eth0/MASTER,1/eth1/MASTER eth0,eth1 $ndrops True 198.51.100.1 198.51.100.101"
[ "$check" = "$want" ] || tm_fail "status --json: '$check', expected '$want'"
# "pid": the daemon's, the one in its pid file, that takes the signals.
jpid=$(echo "$out" | "$TM_PY" -c 'import json, sys; print(json.load(sys.stdin)["pid"])')
[ "$(cat "$TB_DIR/a.pid")" = "${TB_PID[a]}" ] ||
    tm_fail "pid file $(cat "$TB_DIR/a.pid"), started ${TB_PID[a]}"
[ "$jpid" = "${TB_PID[a]}" ] ||
    tm_later "status --json: pid $jpid, but the daemon's pid (pid file, signals) is ${TB_PID[a]}"
tb_log "status and status --json are fine"

# --- backup 2 on the master: b takes over at once.
snap1=$(tm_row a 1 eth0; tm_row a 1 eth1; tm_row b 1 eth0; tm_row b 1 eth1)
t0=$(date +%s.%N)
ctl a backup 2
expect 0 "ok vhid 2 on eth0: BACKUP" "" "backup 2"
tm_wait_settled eth0 192.0.2.102 b 5 || tm_fail "b did not take vhid 2"
took=$(tb_elapsed "$t0" "$(tb_event_time ' b up eth0 192\.0\.2\.102 ')")
# b's master-down interval is 3.39 s; a bow-out is taken at once.
tb_lt "$took" 2 || tm_fail "b took vhid 2 $took s after 'backup 2': not at once"
tb_loggrep a 'vhid 2 on eth0: MASTER -> BACKUP \(forced-backup\)' ||
    tm_fail "a: no forced-backup line"
tb_loggrep b 'vhid 2 on eth0: BACKUP -> MASTER \(master-bowed-out\)' ||
    tm_fail "b: no master-bowed-out line"
# a preempts, but a forced BACKUP waits until the new master dies.
tb_holds 3 tm_only_holder eth0 192.0.2.102 b || tm_fail "a took vhid 2 back by itself"
tm_state_is a 2 eth0 BACKUP || tm_fail "a is not BACKUP for vhid 2"
tb_log "backup 2: b took over after $took s"

# --- master 2 on a (a backup): a at once, b steps down.
t0=$(date +%s.%N)
ctl a master 2
expect 0 "ok vhid 2 on eth0: MASTER" "" "master 2"
tm_wait_settled eth0 192.0.2.102 a 5 || tm_fail "a did not take vhid 2 back"
took=$(tb_elapsed "$t0" "$(tb_event_time ' a up eth0 192\.0\.2\.102 ')")
tb_lt "$took" 2 || tm_fail "a took vhid 2 $took s after 'master 2': not at once"
tb_loggrep a 'vhid 2 on eth0: BACKUP -> MASTER \(forced-master\)' ||
    tm_fail "a: no forced-master line"
tb_until 3 tm_state_is b 2 eth0 BACKUP || tm_fail "b did not step down for vhid 2"
tb_log "master 2: a took it back after $took s"

# --- master 1 eth1 on b, the less preferred: MASTER at once, then back
# to BACKUP at a's next advert; a and the other interface do not move.
n=$(tb_count b 'vhid 1 on eth1: MASTER -> BACKUP \(preferred-master\)')
ctl b master 1 eth1
expect 0 "ok vhid 1 on eth1: MASTER" "" "master 1 eth1 on b"
tb_wait_log b 'vhid 1 on eth1: BACKUP -> MASTER \(forced-master\)' 2 ||
    tm_fail "b: no forced-master line for vhid 1 on eth1"
tb_until 3 tm_log_more b 'vhid 1 on eth1: MASTER -> BACKUP \(preferred-master\)' "$n" ||
    tm_fail "b did not step down for vhid 1 on eth1 at a's advert"
tm_wait_settled eth1 198.51.100.101 a 3 || tm_fail "a is not the only holder of 198.51.100.101"
[ "$(tm_row a 1 eth0)" = "$(echo "$snap1" | sed -n 1p)" ] || tm_fail "a: vhid 1 on eth0 moved"
[ "$(tm_row a 1 eth1)" = "$(echo "$snap1" | sed -n 2p)" ] || tm_fail "a: vhid 1 on eth1 moved"
[ "$(tm_row b 1 eth0)" = "$(echo "$snap1" | sed -n 3p)" ] || tm_fail "b: vhid 1 on eth0 moved"
tb_log "master 1 eth1 on b: forced master, then stepped down"

# --- backup 1 eth1 on a: only eth1; then master 1 on a: both.
row_eth0=$(tm_row a 1 eth0)
ctl a backup 1 eth1
expect 0 "ok vhid 1 on eth1: BACKUP" "" "backup 1 eth1"
tm_wait_settled eth1 198.51.100.101 b 3 || tm_fail "b did not take vhid 1 on eth1"
tb_holds 1.5 tm_only_holder eth0 192.0.2.101 a || tm_fail "vhid 1 on eth0 moved"
[ "$(tm_row a 1 eth0)" = "$row_eth0" ] || tm_fail "a: vhid 1 on eth0 changed on 'backup 1 eth1'"
ctl a master 1
expect 0 "ok vhid 1 on eth0: MASTER
ok vhid 1 on eth1: MASTER" "" "master 1"
tm_wait_settled eth1 198.51.100.101 a 3 || tm_fail "a did not take vhid 1 on eth1 back"
tb_until 3 masters a || tm_fail "a is not master of everything again"
tb_log "backup 1 eth1 / master 1: fine"

# --- errors
ctl a backup 9
expect 1 "" "carpctl: no vhid 9" "backup 9 (no such vhid)"
ctl a master 1 eth7
expect 1 "" "carpctl: no vhid 1 on eth7" "master 1 eth7 (no such interface)"
ctl a backup 256
expect 1 "" 'carpctl: VHID: invalid value "256": allowed 1 to 255' "backup 256"
ctl a frob
[ "$rc" = 1 ] || tm_fail "frob: exit $rc, want 1"
[ -z "$out" ] || tm_fail "frob: stdout '$out'"
[ -n "$err" ] || tm_fail "frob: no message"
tm_ctl a status >/dev/null 2>&1 || tm_fail "a stopped answering"
"$TM_CARPCTL" -s "$TB_DIR/nobody.sock" status >"$TB_DIR/ctl.out" 2>"$TB_DIR/ctl.err"
rc=$? out=$(cat "$TB_DIR/ctl.out") err=$(cat "$TB_DIR/ctl.err")
expect 2 "" "carpctl: cannot connect to $TB_DIR/nobody.sock: No such file or directory" "no daemon"
# A daemon that exits removes its socket: exit 2 again.
tb_signal b TERM
tb_wait_exit b 10 || tm_fail "b did not exit on SIGTERM"
[ -e "$TB_DIR/b.sock" ] && tm_fail "b left its socket behind"
ctl b status
[ "$rc" = 2 ] || tm_fail "status of an exited daemon: exit $rc, want 2"
for v in 1 2; do
	tm_state_is a "$v" eth0 MASTER || tm_fail "a: vhid $v not MASTER at the end"
done

tm_check_later
tb_pass "status, status --json, backup, master and errors"
