#!/usr/bin/env bash
# Unicast peers (--peer) on a switch that drops multicast.
#     (First: this host's own address as a peer is refused.)
#  0. Before the filter: a host with peers that hears a multicast advert
#     for its vhid says so in its log.
#  1. The switch drops 01:00:5e:00:00:12 (nftables bridge table): with
#     multicast adverts a and b both become master (a split).
#  2. Three hosts with full peer lists: a is elected; the adverts on the
#     wire go to each peer's own address and MAC, with TTL 255.
#  3. d (not in the lists, more frequent) sends to a and b: dropped as
#     "not-a-peer", a stays master.  c restarted with another password:
#     "hmac", a stays master.
#  4. a crashes: b takes over (master-down); c stays backup.
#  5. a comes back and preempts; 6. a stops: its bow-out hands over to
#     b at once.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

VIP=192.0.2.100
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_host c 192.0.2.3/24
tb_host d 192.0.2.4/24
tb_scripts
pass=$(tb_passfile group "unicast $$")
other=$(tb_passfile other "not ours $$")

common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1)
peers_a=(--peer=192.0.2.2 --peer=192.0.2.3)
peers_b=(--peer=192.0.2.1 --peer=192.0.2.3)
peers_c=(--peer=192.0.2.1 --peer=192.0.2.2)
start_a() {
	tb_carpd a "${common[@]}" -k 10 -P "${peers_a[@]}" \
	    -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
}

# A peer that is this host's own address: refused, by value.
err=$(ip netns exec "${TB_NS[a]}" "$CARPD" "${common[@]}" --peer=192.0.2.1 -t 2>&1)
rc=$?
if [ "$rc" -ne 1 ] || [[ $err != *'peer 192.0.2.1 is an address of this host (on eth0)'* ]]; then
	tb_fail "own address as a peer: exit $rc, '$err'"
fi

# 0. A mixed group: a multicast, b unicast.
tb_carpd a "${common[@]}" -k 10 -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${common[@]}" -k 100 "${peers_b[@]}" -n
tb_wait_log b 'vhid 7 on eth0: a multicast advert from 192\.0\.2\.1, but vhid 7 uses unicast peers' 8 ||
	tb_fail "0: b did not log the multicast advert"
tb_crash a
tb_crash b

# 1. Multicast dropped by the switch: two masters.
tb_switch_drop 01:00:5e:00:00:12 || tb_fail "nft"
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
tb_holds 1.5 tb_only_holder "$VIP" a || tb_fail "2: a did not stay the only master"
[ "$(tb_count b ' -> MASTER')" -eq "$nmb" ] || tb_fail "2: b became master"
tb_loggrep c ' -> MASTER' && tb_fail "2: c became master"
tb_signal a USR1
tb_wait_log a 'vhid 7 on eth0: 2 peers, 0 not resolved yet; ' 3 ||
	tb_fail "2: a: no peer status line on SIGUSR1"
macb=$(ip -n "${TB_NS[b]}" link show eth0 | awk '/ether/ { print $2 }')
macc=$(ip -n "${TB_NS[c]}" link show eth0 | awk '/ether/ { print $2 }')
tb_capture_stop
tcpdump -r "$TB_DIR/br0.pcap" -e -n -v 'ip proto 112' 2>/dev/null |
    "${PYTHON:-python3}" -c '
import re, sys
macb, macc = sys.argv[1], sys.argv[2]
want = {("192.0.2.2", macb): 0, ("192.0.2.3", macc): 0}
bad = []
text = sys.stdin.read()
for m in re.finditer(r"> (\S+), ethertype IPv4 .*?ttl (\d+),.*?\n\s+(\S+) > (\S+): (?:CARP|VRRP)", text):
    dmac, ttl, src, dst = m.groups()
    if src != "192.0.2.1":
        continue
    if (dst, dmac) in want and ttl == "255":
        want[(dst, dmac)] += 1
    else:
        bad.append("%s %s ttl %s" % (dst, dmac, ttl))
if bad or min(want.values()) < 1:
    print("to b, c: %s; other: %s" % (list(want.values()), bad[:5]))
    sys.exit(1)
print("to b %d, to c %d" % tuple(want.values()))
' "$macb" "$macc" >"$TB_DIR/wire" || tb_fail "2: adverts on the wire: $(cat "$TB_DIR/wire")"
# The peers' kernels take them quietly (the protocol 112 sink).
unreach=$(tcpdump -r "$TB_DIR/br0.pcap" -n icmp 2>/dev/null | grep -c 'protocol 112 unreachable')
[ "$unreach" -eq 0 ] || tb_fail "2: $unreach ICMP protocol-unreachable answers to the adverts"

# 3. d is no peer (and more frequent); c with another password.
tb_carpd d "${common[@]}" -k 0 --peer=192.0.2.1 --peer=192.0.2.2
tb_wait_log a 'dropped packet from 192\.0\.2\.4: not-a-peer' 8 ||
	tb_fail "3: a did not drop d's adverts as not-a-peer"
tb_crash d
tb_signal c TERM
tb_wait_exit c 5 || tb_fail "3: c did not exit"
[ "$TB_RC" -eq 0 ] || tb_fail "3: c exited with $TB_RC"
tb_carpd c -i eth0 -v 7 -o "$other" -a "$VIP" -b 1 -k 200 "${peers_c[@]}"
tb_wait_log a 'dropped packet from 192\.0\.2\.3: hmac' 8 ||
	tb_fail "3: a did not drop c's adverts (other password)"
tb_only_holder "$VIP" a || tb_fail "3: a is not the only master"
tb_loggrep a 'MASTER -> BACKUP' && tb_fail "3: a stepped down"
tb_crash c
tb_carpd c "${common[@]}" -k 200 "${peers_c[@]}" -u "$TB_DIR/c.up" -d "$TB_DIR/c.down"

# 4. a crashes: b (master-down 3.39 s) takes over.
tb_wait_log c 'INIT -> BACKUP' 3 || tb_fail "4: c did not start again"
sleep 1
tb_crash a
t0=$(date +%s.%N)
tb_wait_settled "$VIP" b 10.2 || tb_fail "4: b did not take over"
took=$(tb_elapsed "$t0" "$(date +%s.%N)")
tb_wait_log b 'BACKUP -> MASTER \(master-down\)' 2 || tb_fail "4: b: no master-down"
tb_holds 1.5 tb_only_holder "$VIP" b || tb_fail "4: b did not stay the only master"

# 5. a returns and preempts.
start_a
tb_wait_settled "$VIP" a 8 || tb_fail "5: a did not preempt"
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
for h in b c; do tb_alive "$h" || tb_fail "$h died"; done
tb_pass "unicast: $(cat "$TB_DIR/wire"); crash takeover ${took} s, bow-out ${bow} s"
