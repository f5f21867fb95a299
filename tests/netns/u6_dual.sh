#!/usr/bin/env bash
# A dual-stack vhid with unicast peers of both families, on a switch that
# drops CARP's multicast of both (01:00:5e:00:00:12, 33:33:00:00:00:12).
#  1. a (advskew 0, preempt) is elected and holds both addresses alone;
#     its IPv4 adverts go to b's IPv4 address, its IPv6 ones to b's IPv6
#     address, both to b's MAC with TTL / hop limit 255, none to a group;
#     b's carpctl status shows both peers resolved at a's MAC.
#  2. a crashes: b takes both addresses over (master-down).
#  3. a comes back and preempts; b yields.
#  4. An IPv6-only vhid with link-local peers: the adverts go from and
#     to the link-local addresses; a is elected, b's peer is resolved.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

VIP4=192.0.2.100
VIP6=2001:db8::100
TB_IPV6=1
tb_init
tb_switch
for h in a b; do
	n=$(( $(printf '%d' "'$h") - 96 ))
	tb_host "$h" "192.0.2.$n/24"
	ip -n "${TB_NS[$h]}" -6 addr add "2001:db8::$n/64" dev eth0 nodad ||
		tb_fail "no IPv6 address on $h"
	TB_ADDR6[$h]=2001:db8::$n	# kept by tb_crash
done
tb_scripts
pass=$(tb_passfile group "dual unicast $$")
maca=$(tb_mac a) macb=$(tb_mac b)
tb_switch_drop 01:00:5e:00:00:12 33:33:00:00:00:12 || tb_fail "nft"

both() { tb_only_holder "$VIP4" "$1" && tb_only_holder "$VIP6" "$1"; }
common=(-i eth0 -v 9 -o "$pass" -a "$VIP4/24" -a "$VIP6/64" -b 1)
start_a() {
	tb_carpd a "${common[@]}" -k 0 -P --peer=192.0.2.2 --peer=2001:db8::2 \
	    -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
}

# 1.
tb_capture || tb_fail "no capture"
start_a
tb_carpd b "${common[@]}" -k 100 --peer=2001:db8::1 --peer=192.0.2.1 \
    -u "$TB_DIR/b.up" -d "$TB_DIR/b.down" --control-socket "$TB_DIR/b.sock"
tb_until 8 both a || tb_fail "1: a does not hold both addresses alone"
tb_loggrep a 'vhid 9 on eth0: source 192\.0\.2\.1 2001:db8::1, .*unicast to its peers' ||
	tb_fail "1: a's sources are not its own IPv4 and global IPv6 addresses"
tb_holds 2 both a || tb_fail "1: a did not keep both addresses"
st=$("${CARPCTL:-$(dirname "$CARPD")/carpctl}" -s "$TB_DIR/b.sock" status)
grep -qx "unicast peers vhid 9 on eth0: 2001:db8::1 $maca 192.0.2.1 $maca" <<<"$st" ||
	tb_fail "1: b's status shows no resolved peers: $st"
tb_capture_stop
tcpdump -r "$TB_DIR/br0.pcap" -e -n -v 'ip proto 112 or ip6 proto 112' \
    2>/dev/null | "${PYTHON:-python3}" -c '
import re, sys
maca, macb = sys.argv[1:]
n4 = n6 = 0
bad = []
text = sys.stdin.read()
v4 = r"(\S+) > (\S+), ethertype IPv4 .*?ttl (\d+),.*?\n\s+(\S+) > (\S+): "
v6 = r"(\S+) > (\S+), ethertype IPv6 .*?\(hlim (\d+),.*?\) (\S+) > (\S+): "
for fam, rx in (4, v4), (6, v6):
    for m in re.finditer(rx, text):
        smac, dmac, ttl, src, dst = m.groups()
        if smac != maca:
            continue
        want = ("192.0.2.1", "192.0.2.2") if fam == 4 else ("2001:db8::1", "2001:db8::2")
        if (src, dst, dmac, ttl) == want + (macb, "255"):
            if fam == 4:
                n4 += 1
            else:
                n6 += 1
        else:
            bad.append("%s > %s to %s ttl %s" % (src, dst, dmac, ttl))
if bad or n4 < 1 or n6 < 1:
    print("IPv4 %d, IPv6 %d; other: %s" % (n4, n6, bad[:5]))
    sys.exit(1)
print("IPv4 %d, IPv6 %d" % (n4, n6))
' "$maca" "$macb" >"$TB_DIR/wire" || tb_fail "1: adverts on the wire: $(cat "$TB_DIR/wire")"

# 2. a crashes: b takes both over.
tb_crash a
t0=$(date +%s.%N)
tb_until 10.2 both b || tb_fail "2: b did not take both addresses over"
took=$(tb_elapsed "$t0" "$(date +%s.%N)")
tb_wait_log b 'BACKUP -> MASTER \(master-down\)' 2 || tb_fail "2: b: no master-down"
tb_holds 1.5 both b || tb_fail "2: b did not keep both addresses"

# 3. a returns and preempts.
start_a
tb_until 8 both a || tb_fail "3: a did not preempt"
tb_wait_log b 'MASTER -> BACKUP \(preferred-master\)' 3 || tb_fail "3: b did not yield"
tb_holds 1.5 both a || tb_fail "3: a did not keep both addresses"
for h in a b; do tb_alive "$h" || tb_fail "$h died"; done

# 4. Link-local peers.
ll() {
	ip -n "${TB_NS[$1]}" -6 -o addr show dev eth0 scope link |
	    awk '{ sub("/.*", "", $4); print $4; exit }'
}
lla=$(ll a) llb=$(ll b)
[ -n "$lla" ] && [ -n "$llb" ] || tb_fail "4: no link-local addresses"
tb_crash a
tb_crash b
ndrop=$(tb_count b 'dropped packet')
VIP6=2001:db8::101
ll_common=(-i eth0 -v 10 -o "$pass" -a "$VIP6/64" -b 1)
tb_carpd a "${ll_common[@]}" -k 0 --peer="$llb" -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${ll_common[@]}" -k 100 --peer="$lla" -u "$TB_DIR/b.up" \
    -d "$TB_DIR/b.down" --control-socket "$TB_DIR/b.sock"
tb_wait_settled "$VIP6" a 8 || tb_fail "4: a is not the only master"
tb_loggrep a "vhid 10 on eth0: source $lla, .*unicast to its peers" ||
	tb_fail "4: a does not send from its link-local address"
tb_holds 1.5 tb_only_holder "$VIP6" a || tb_fail "4: a did not stay the only master"
st=$("${CARPCTL:-$(dirname "$CARPD")/carpctl}" -s "$TB_DIR/b.sock" status)
grep -qx "unicast peers vhid 10 on eth0: $lla $maca" <<<"$st" ||
	tb_fail "4: b's status shows no resolved link-local peer: $st"
[ "$(tb_count b 'dropped packet')" -eq "$ndrop" ] || tb_fail "4: b dropped adverts"
tb_pass "dual-stack unicast: $(cat "$TB_DIR/wire"); crash takeover ${took} s"
