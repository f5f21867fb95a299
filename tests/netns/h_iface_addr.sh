#!/usr/bin/env bash
# The source address follows the interface's addresses (rtnetlink
# RTM_NEWADDR/RTM_DELADDR).
#  1. Host a's eth0 has no IPv4 address at start: carpd (no --srcip)
#     runs vhid 7 without one (carpdev), its adverts from the VIP, and
#     preempting takes the address over.  192.0.2.1 is added: the
#     source moves to it.
#  2. While a is master (its up script added the VIP to eth0), 192.0.2.9
#     is added and 192.0.2.1 deleted; promote_secondaries makes the VIP
#     the interface's first address.  a logs "source 192.0.2.1 ->
#     192.0.2.9", stays master, and the adverts on the wire (tcpdump on
#     the switch) come from 192.0.2.9, never from the VIP.
#  3. Two masters with equal intervals compare that new address: a
#     yields to b (192.0.2.2 before 192.0.2.9).
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
pass=$(tb_passfile group "addr $$")
nsa=${TB_NS[a]}
ip -n "$nsa" addr flush dev eth0
ip netns exec "$nsa" sysctl -qw net.ipv4.conf.eth0.promote_secondaries=1

common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1)
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_carpd a "${common[@]}" -k 0 -P -u "$TB_DIR/a.up" -d "$TB_DIR/a.down" \
    --control-socket="$TB_DIR/a.sock"

# 1. No address yet: a runs without one (carpdev), sending from the VIP.
tb_wait_log a 'vhid 7 on eth0: source 192\.0\.2\.100 \(virtual: the interface has no IPv4 address\)' 5 ||
	tb_fail "1: a did not start from the virtual address"
tm_wait_ctl a 5 || tb_fail "1: a: no control socket"
tb_wait_settled "$VIP" a 8 || tb_fail "1: a did not take over"
got=$(tm_ctl a status --json | "$TM_PY" -c '
import json, sys
v = json.load(sys.stdin)["vhids"][0]
print(v["state"], v["source"])')
[ "$got" = "MASTER $VIP" ] || tb_fail "1: a: status --json: '$got'"
ip -n "$nsa" addr add 192.0.2.1/24 dev eth0
tb_wait_log a 'vhid 7 on eth0: source 192\.0\.2\.100 -> 192\.0\.2\.1 \(address change\)' 3 ||
	tb_fail "1: a did not take 192.0.2.1 as its source"
tb_capture || tb_fail "no capture"

# 2. 192.0.2.1 -> 192.0.2.9, the VIP promoted to first address.
tb_holds 1.5 tb_only_holder "$VIP" a || tb_fail "2: a did not stay master"
ip -n "$nsa" addr add 192.0.2.9/24 dev eth0
t0=$(date +%s.%N)
ip -n "$nsa" addr del 192.0.2.1/24 dev eth0
first=$(ip -n "$nsa" -4 -o addr show dev eth0 | awk '{ print $4; exit }')
[ "$first" = "$VIP/24" ] || tb_fail "2: the test expected $VIP first on eth0, not $first"
tb_wait_log a 'vhid 7 on eth0: source 192\.0\.2\.1 -> 192\.0\.2\.9 \(address change\)' 3 ||
	tb_fail "2: a did not log the new source"
tb_holds 3 tb_only_holder "$VIP" a || tb_fail "2: a did not stay the only master"
[ "$(tm_ctl a status --json | "$TM_PY" -c '
import json, sys
print(json.load(sys.stdin)["vhids"][0]["source"])')" = 192.0.2.9 ] ||
	tb_fail "2: a: status does not show source 192.0.2.9"
tb_capture_stop
tb_adverts | "$TM_PY" -c '
import re, sys
t0 = float(sys.argv[1])
before = after = 0
bad = []
for line in sys.stdin:
    m = re.match(r"(\S+) (\S+) > .* vhid=7 advbase=1 advskew=0 ", line)
    if not m:
        continue
    t, src = float(m.group(1)), m.group(2)
    if src == "192.0.2.1" and t < t0 + 0.2:
        before += 1
    elif src == "192.0.2.9" and t > t0:
        after += 1
    else:
        bad.append("%s at %.3f" % (src, t - t0))
if before < 1 or after < 2 or bad:
    print("%d adverts from 192.0.2.1 before, %d from 192.0.2.9 after; "
          "others: %s" % (before, after, ", ".join(bad) or "none"))
    sys.exit(1)
print("%d from 192.0.2.1, then %d from 192.0.2.9" % (before, after))
' "$t0" >"$TB_DIR/adverts.check" || tb_fail "2: adverts: $(cat "$TB_DIR/adverts.check")"

# 3. The tie-break between masters uses the new source too.  b restarts
# with a's advskew and no preempt, a silent partition makes both masters,
# and at the heal a (192.0.2.9 now; 192.0.2.1 would win) yields to b
# (192.0.2.2).
# b's log goes on from its first run: count the lines.
nb_start=$(tb_count b 'vhid 7 on eth0: INIT -> BACKUP \(startup\)')
nb_master=$(tb_count b 'vhid 7 on eth0: BACKUP -> MASTER \(master-down\)')
tb_signal b TERM
tb_wait_exit b 5 || tb_fail "3: b did not exit"
tb_carpd b "${common[@]}" -k 0 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_until 3 tm_log_more b 'vhid 7 on eth0: INIT -> BACKUP \(startup\)' "$nb_start" ||
	tb_fail "3: b did not start"
tb_holds 1.5 tb_only_holder "$VIP" a || tb_fail "3: a did not stay master"
tm_cut a
tb_until 8 tm_log_more b 'vhid 7 on eth0: BACKUP -> MASTER \(master-down\)' "$nb_master" ||
	tb_fail "3: b did not take over during the partition"
tm_mend a
tb_wait_log a 'vhid 7 on eth0: MASTER -> BACKUP \(preferred-master\)' 5 ||
	tb_fail "3: a (source 192.0.2.9) did not yield to b (192.0.2.2)"
tb_wait_settled "$VIP" b 3 || tb_fail "3: b is not the only master"
tb_holds 2 tb_only_holder "$VIP" b || tb_fail "3: b did not stay the only master"
tb_alive a || tb_fail "a died"
tb_alive b || tb_fail "b died"
tb_pass "vhid 7 ran without an address, then followed it; adverts: $(cat "$TB_DIR/adverts.check")"
