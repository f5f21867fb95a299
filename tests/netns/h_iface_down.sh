#!/usr/bin/env bash
# An interface that is down at start.  Host a's eth0 is set down, then a
# carpd is started on it from the command line (ucarp's way): instead of
# exiting it warns once that eth0 is down and that vhid 7 waits, and
# carpctl shows it INIT, waiting "interface-down".  Host b is master
# meanwhile.  When eth0 is set up, vhid 7 starts by itself (INIT ->
# BACKUP (startup)) and, preempting with advskew 0, takes the address.
# Set down and up again while master, it leaves (link-down) and comes
# back (link-up).
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

VIP=192.0.2.100
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
pass=$(tb_passfile group "down $$")

common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1)
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_settled "$VIP" b 8 || tb_fail "b did not become master"

ip -n "${TB_NS[a]}" link set eth0 down
tb_carpd a "${common[@]}" -k 0 -P -u "$TB_DIR/a.up" -d "$TB_DIR/a.down" \
    --control-socket="$TB_DIR/a.sock"
tb_wait_log a 'eth0: interface is down; vhid 7 waits for it' 5 ||
	tb_fail "a: no warning that eth0 is down"
tm_wait_ctl a 5 || tb_fail "a: no control socket"
got=$(tm_ctl a status --json | "$TM_PY" -c '
import json, sys
v = json.load(sys.stdin)["vhids"][0]
print(v["state"], v["waiting"], v["reason"])')
[ "$got" = "INIT interface-down None" ] || tb_fail "a: status --json: '$got'"
tm_ctl a status | grep -Eq '^7 +eth0 +INIT .* interface-down ' ||
	tb_fail "a: status text: $(tm_ctl a status)"
# Two of b's advert intervals: a stays quiet, alive, and logs it once.
tb_holds 2.5 tb_alive a || tb_fail "a exited while eth0 was down"
[ "$(tb_count a 'waits for it')" -eq 1 ] || tb_fail "a: the wait was logged more than once"
tb_loggrep a ' -> ' && tb_fail "a changed state with eth0 down"
tb_only_holder "$VIP" b || tb_fail "b lost the address"

t0=$(date +%s.%N)
ip -n "${TB_NS[a]}" link set eth0 up
tb_wait_log a 'vhid 7 on eth0: INIT -> BACKUP \(startup\)' 3 ||
	tb_fail "a: vhid 7 did not start when eth0 came up"
tb_wait_settled "$VIP" a 6 || tb_fail "a did not take the address over"
took=$(tb_elapsed "$t0" "$(tb_event_time ' a up ')")
tb_loggrep a 'vhid 7 on eth0: BACKUP -> MASTER \(preempt\)' ||
	tb_fail "a: no BACKUP -> MASTER (preempt)"
tb_holds 1.5 tb_only_holder "$VIP" a || tb_fail "a did not stay the only holder"
[ "$(tm_ctl a status --json | "$TM_PY" -c '
import json, sys
print(json.load(sys.stdin)["vhids"][0]["waiting"])')" = None ] ||
	tb_fail "a: still waiting in the status"

# Down and up again while running: INIT (link-down), then back.
ip -n "${TB_NS[a]}" link set eth0 down
tb_wait_log a 'vhid 7 on eth0: MASTER -> INIT \(link-down\)' 3 ||
	tb_fail "a: no MASTER -> INIT (link-down) when eth0 was set down"
tb_wait_settled "$VIP" b 8 || tb_fail "b did not take over from a"
ip -n "${TB_NS[a]}" link set eth0 up
tb_wait_log a 'vhid 7 on eth0: INIT -> BACKUP \(link-up\)' 3 ||
	tb_fail "a: no INIT -> BACKUP (link-up) when eth0 was set up again"
tb_wait_settled "$VIP" a 6 || tb_fail "a did not take the address back"
tb_alive b || tb_fail "b died"
tb_pass "vhid 7 waited for eth0 and was master $took s after it came up"
