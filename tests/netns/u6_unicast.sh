#!/usr/bin/env bash
# IPv6 unicast peers (--peer 2001:db8::N) on a switch that drops CARP's
# multicast (33:33:00:00:00:12), for an IPv6-only vhid.
#     (First: an address of this host as a peer, a multicast peer and an
#     IPv4 peer for the IPv6-only vhid are refused, by value.)
#  0. Before the filter: b, with peers, hears a's multicast IPv6 advert
#     for its vhid, and a, without, b's unicast one: each says so in its
#     log.
#  1. The switch drops 33:33:00:00:00:12: with multicast adverts a and b
#     both become master (a split).
#  2. Three hosts with full peer lists: a is elected and sends from its
#     global address; each advert goes to each peer's own address and
#     MAC (the kernel's neighbour table) with hop limit 255; the peers
#     send no ICMPv6 back; carpctl status (text and JSON) shows both
#     peers resolved, at their MAC addresses.
#  3. d (not in the lists, more frequent) sends to a and b: dropped and
#     counted as "not-a-peer", a stays master.  Frames from b's address
#     with hop limit 64: dropped and counted by the kernel's filter.
#  4. a crashes: b takes over (master-down); c stays backup.
#  5. a comes back and preempts; 6. a stops: its bow-out hands over to
#     b at once.
#  7. a again, with --peer-routed, as backup: hop limit 64 from a peer
#     passes the kernel's filter and the hop-limit check (and fails the
#     digest: "hmac"); from a host that is no peer it is "ttl".
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_hard.sh
. "${top_srcdir:-.}/tests/netns/lib_hard.sh"

CTL=${CARPCTL:-$(dirname "$CARPD")/carpctl}
# counted HOST REASON: HOST's vhid 7 counted a drop for REASON.
# shellcheck disable=SC2317 # called through tb_until
counted() {
	"$CTL" -s "$TB_DIR/$1.sock" status --json | "$TH_PY" -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d["vhids"][0]["bad_packets"][sys.argv[1]] > 0 else 1)' "$2"
}

# kernel HOST: the CARP frames HOST's kernel filter refused on eth0.
kernel() {
	"$CTL" -s "$TB_DIR/$1.sock" status --json | "$TH_PY" -c '
import json, sys
print(json.load(sys.stdin)["interfaces"][0]["kernel_filtered"])'
}
# shellcheck disable=SC2317 # called through tb_until
kernel_grew() {
	[ "$(kernel "$1")" -ge $(($2 + 5)) ]
}

# hlim64 SRC: from d, 5 adverts of vhid 7 from SRC to a, hop limit 64.
hlim64() {
	ip netns exec "${TB_NS[d]}" "$TH_PY" - "$1" "$maca" <<'EOF'
import struct, sys
from scapy.all import Ether, IPv6, Raw, sendp
h = bytearray(struct.pack("!BBBBBBH", 0x21, 7, 0, 7, 0, 1, 0))
h += struct.pack("!Q", 12345) + b"\x11" * 20
s = sum(struct.unpack("!18H", bytes(h)))
while s >> 16:
    s = (s & 0xffff) + (s >> 16)
struct.pack_into("!H", h, 6, ~s & 0xffff)
p = Ether(dst=sys.argv[2]) / IPv6(src=sys.argv[1], dst="2001:db8::1", nh=112,
                                  hlim=64) / Raw(bytes(h))
sendp(p, iface="eth0", count=5, inter=0.05, verbose=False)
EOF
}

VIP=2001:db8::100
TB_IPV6=1
tb_init
th_need_scapy
tb_switch
for h in a b c d; do
	n=$(( $(printf '%d' "'$h") - 96 ))
	tb_host "$h" "192.0.2.$n/24"
	ip -n "${TB_NS[$h]}" -6 addr add "2001:db8::$n/64" dev eth0 nodad ||
		tb_fail "no IPv6 address on $h"
	TB_ADDR6[$h]=2001:db8::$n	# kept by tb_crash
done
tb_scripts
pass=$(tb_passfile group "unicast6 $$")
maca=$(tb_mac a) macb=$(tb_mac b) macc=$(tb_mac c)

common=(-i eth0 -v 7 -o "$pass" -a "$VIP/64" -b 1)
peers_a=(--peer=2001:db8::2 --peer=2001:db8::3)
peers_b=(--peer=2001:db8::1 --peer=2001:db8::3)
peers_c=(--peer=2001:db8::1 --peer=2001:db8::2)
start_a() {
	tb_carpd a "${common[@]}" -k 10 -P "${peers_a[@]}" "$@" \
	    -u "$TB_DIR/a.up" -d "$TB_DIR/a.down" --control-socket "$TB_DIR/a.sock"
}

# Bad peers: refused, by value.
refused() {
	local want=$1 err rc
	shift
	err=$(ip netns exec "${TB_NS[a]}" "$CARPD" "${common[@]}" "$@" -t 2>&1)
	rc=$?
	[ "$rc" -eq 1 ] && [[ $err == *"$want"* ]] ||
		tb_fail "$*: exit $rc, '$err' (want '$want')"
}
refused 'peer 2001:db8::1 is an address of this host (on eth0)' --peer=2001:db8::1
refused '--peer: invalid value "ff02::1": allowed another host'"'"'s unicast IPv6' --peer=ff02::1
refused '--peer 192.0.2.2 is an IPv4 address, but the vhid has only IPv6 addresses' --peer=192.0.2.2

# 0. A mixed group: a multicast, b unicast; both become master, and
#    each hears the other kind of advert.
tb_carpd a "${common[@]}" -k 10 -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${common[@]}" -k 0 "${peers_b[@]}" -n
tb_wait_log b 'vhid 7 on eth0: a multicast advert from fe80::[0-9a-f:]*, but vhid 7 uses unicast peers' 8 ||
	tb_fail "0: b did not log the multicast advert"
tb_wait_log a 'vhid 7 on eth0: a unicast advert from 2001:db8::2, but vhid 7 has no peers \(multicast\)' 8 ||
	tb_fail "0: a did not log the unicast advert"
tb_crash a
tb_crash b

# 1. CARP's IPv6 multicast dropped by the switch (neighbour discovery,
#    to the solicited-node groups, still passes): two masters.
tb_switch_drop 33:33:00:00:00:12 || tb_fail "nft"
tb_carpd a "${common[@]}" -k 10 -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_until 8 tb_nholders_is 2 "$VIP" ||
	tb_fail "1: multicast did not split into two masters"
tb_log "1: multicast: $(tb_holders "$VIP" | tr '\n' ' ')hold $VIP"
tb_crash a
tb_crash b

# 2. Unicast, three hosts.
nmb=$(tb_count b ' -> MASTER')
tb_capture || tb_fail "no capture"
start_a
tb_carpd b "${common[@]}" -k 100 "${peers_b[@]}" -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_carpd c "${common[@]}" -k 200 "${peers_c[@]}" -u "$TB_DIR/c.up" -d "$TB_DIR/c.down"
tb_wait_settled "$VIP" a 8 || tb_fail "2: a did not become the only master"
tb_loggrep a 'vhid 7 on eth0: source 2001:db8::1, .*unicast to its peers' ||
	tb_fail "2: a does not send from its global address"
tb_holds 1.5 tb_only_holder "$VIP" a || tb_fail "2: a did not stay the only master"
[ "$(tb_count b ' -> MASTER')" -eq "$nmb" ] || tb_fail "2: b became master"
tb_loggrep c ' -> MASTER' && tb_fail "2: c became master"
st=$("$CTL" -s "$TB_DIR/a.sock" status)
grep -qx "unicast peers vhid 7 on eth0: 2001:db8::2 $macb 2001:db8::3 $macc" <<<"$st" ||
	tb_fail "2: status shows no resolved peers: $st"
"$CTL" -s "$TB_DIR/a.sock" status --json | "$TH_PY" -c '
import json, sys
p = json.load(sys.stdin)["vhids"][0]["unicast_peers"]
want = [{"address": "2001:db8::2", "family": "inet6", "resolved": True,
         "mac": sys.argv[1]},
        {"address": "2001:db8::3", "family": "inet6", "resolved": True,
         "mac": sys.argv[2]}]
sys.exit(0 if p == want else "peers: %r" % p)' "$macb" "$macc" ||
	tb_fail "2: status --json: the peers are not resolved"
tb_capture_stop
"$TH_PY" - "$TB_DIR/br0.pcap" "$maca" "$macb" "$macc" >"$TB_DIR/wire" <<'EOF' ||
import sys
from scapy.all import Ether, IPv6, rdpcap
from scapy.layers.inet6 import ICMPv6ParamProblem
pcap, maca, macb, macc = sys.argv[1:]
want = {("2001:db8::2", macb): 0, ("2001:db8::3", macc): 0}
bad, icmp = [], 0
for p in rdpcap(pcap):
    # "Unrecognized next header" (the resolving datagram's "port
    # unreachable" is expected, once per peer).
    if ICMPv6ParamProblem in p:
        icmp += 1
    if IPv6 not in p or p[IPv6].nh != 112 or p[IPv6].src != "2001:db8::1":
        continue
    k = (p[IPv6].dst, p[Ether].dst)
    if k in want and p[IPv6].hlim == 255 and p[Ether].src == maca:
        want[k] += 1
    else:
        bad.append("%s %s hlim %d" % (k[0], k[1], p[IPv6].hlim))
if bad or min(want.values()) < 1 or icmp:
    print("to b, c: %s; other: %s; ICMPv6 parameter problems: %d" %
          (list(want.values()), bad[:5], icmp))
    sys.exit(1)
print("to b %d, to c %d" % tuple(want.values()))
EOF
	tb_fail "2: adverts on the wire: $(cat "$TB_DIR/wire")"

# 3. d is no peer (and more frequent); hop limit 64 from a peer's address.
tb_carpd d "${common[@]}" -k 0 --peer=2001:db8::1 --peer=2001:db8::2
tb_wait_log a 'dropped packet from 2001:db8::4: not-a-peer' 8 ||
	tb_fail "3: a did not drop d's adverts as not-a-peer"
counted a not-a-peer || tb_fail "3: a did not count not-a-peer"
tb_crash d
k0=$(kernel a)
hlim64 2001:db8::2 || tb_fail "3: scapy"
# The kernel's capture filter drops them (doc/protocol.md, "Kernel
# filter"), and counts them; carpd itself never sees one.
tb_until 3 kernel_grew a "$k0" || tb_fail "3: a's kernel filter did not drop hop limit 64"
counted a ttl && tb_fail "3: hop limit 64 reached a's carpd (ttl) without --peer-routed"
tb_only_holder "$VIP" a || tb_fail "3: a is not the only master"
tb_loggrep a 'MASTER -> BACKUP' && tb_fail "3: a stepped down"

# 4. a crashes: b (master-down 3.39 s) takes over.
tb_crash a
t0=$(date +%s.%N)
tb_wait_settled "$VIP" b 10.2 || tb_fail "4: b did not take over"
took=$(tb_elapsed "$t0" "$(date +%s.%N)")
tb_wait_log b 'BACKUP -> MASTER \(master-down\)' 2 || tb_fail "4: b: no master-down"
tb_holds 1.5 tb_only_holder "$VIP" b || tb_fail "4: b did not stay the only master"
tb_loggrep c ' -> MASTER' && tb_fail "4: c became master"

# 5. a returns and preempts.
start_a
tb_wait_settled "$VIP" a 8 || tb_fail "5: a did not preempt"
tb_wait_log a 'BACKUP -> MASTER \(preempt\)' 3 || tb_fail "5: a: no preempt"
tb_wait_log b 'MASTER -> BACKUP \(preferred-master\)' 3 ||
	tb_fail "5: b did not yield"

# 6. a stops: the bow-out advert goes to the peers.
tb_holds 1 tb_only_holder "$VIP" a || tb_fail "6: a did not stay master"
nb=$(tb_count b 'BACKUP -> MASTER \(master-bowed-out\)')
tb_signal a TERM
t0=$(date +%s.%N)
tb_wait_settled "$VIP" b 3 || tb_fail "6: b did not take over at the bow-out"
bow=$(tb_elapsed "$t0" "$(date +%s.%N)")
[ "$(tb_count b 'BACKUP -> MASTER \(master-bowed-out\)')" -gt "$nb" ] ||
	tb_fail "6: b did not take over on the bow-out advert"
tb_lt "$bow" 2 || tb_fail "6: the bow-out took $bow s"
tb_wait_exit a 5 || tb_fail "6: a did not exit"
[ "$TB_RC" -eq 0 ] || tb_fail "6: a exited with $TB_RC"

# 7. --peer-routed: any hop limit from a peer, still 255 from others.
tb_carpd a "${common[@]}" -k 250 "${peers_a[@]}" --peer-routed \
    --control-socket "$TB_DIR/a.sock"
tb_wait_log a 'INIT -> BACKUP' 5 || tb_fail "7: a did not start"
hlim64 2001:db8::2 || tb_fail "7: scapy"
tb_until 3 counted a hmac || tb_fail "7: a did not take b's hop limit 64 (hmac)"
counted a ttl && tb_fail "7: a dropped a peer's hop limit 64 with --peer-routed"
hlim64 2001:db8::4 || tb_fail "7: scapy"
tb_until 3 counted a ttl || tb_fail "7: a took hop limit 64 from a host that is no peer"
tb_only_holder "$VIP" b || tb_fail "7: b is not the only master"
for h in a b c; do tb_alive "$h" || tb_fail "$h died"; done
tb_pass "IPv6 unicast: $(cat "$TB_DIR/wire"); crash takeover ${took} s, bow-out ${bow} s"
