#!/usr/bin/env bash
# A dual-stack vhid (doc/protocol.md, IPv6): one IPv4 and one IPv6
# address move together.  a is master; a client pings both addresses
# through a's crash; b takes over both, and the client reaches b at
# once: its ARP and neighbour entries are moved by b's gratuitous ARP
# and unsolicited neighbour advertisement (Override), not by NUD seconds
# later.  The longest gap of each ping is reported.  On the wire: an
# advert of each family per interval, each HMAC covering both addresses.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

VIP4=192.0.2.100
VIP6=2001:db8::100
TB_IPV6=1
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_host c 192.0.2.3/24		# the client
"$TB_IP" -n "${TB_NS[c]}" -6 addr add 2001:db8::c/64 dev eth0 nodad ||
	tb_fail "cannot give the client an IPv6 address"
tb_scripts
pw="dual $$"
pass=$(tb_passfile group "$pw")
tb_capture || tb_fail "tcpdump did not start"
common=(-i eth0 -v 7 -o "$pass" -a "$VIP4/24" -a "$VIP6/64" -b 1)
tb_carpd a "${common[@]}" -k 0 -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down" \
    --control-socket "$TB_DIR/b.sock"
both() { tb_only_holder "$VIP4" "$1" && tb_only_holder "$VIP6" "$1"; }
tb_until 8 both a || tb_fail "a does not hold both addresses alone"
tb_holds 1 both a || tb_fail "a did not keep both addresses"
# b's status: both addresses, both sources; the master heard (IPv4 and
# IPv6 adverts alike) is a.
ctl() { "${CARPCTL:-$(dirname "$CARPD")/carpctl}" -s "$TB_DIR/b.sock" "$@"; }
st=$(ctl status) || tb_fail "carpctl status: $st"
echo "$st" | grep -q "BACKUP .* $VIP4,$VIP6\$" ||
	tb_fail "carpctl status does not show both addresses: $st"
js=$(ctl status --json) || tb_fail "carpctl status --json: $js"
echo "$js" | grep -q "\"addresses\":\[\"$VIP4\",\"$VIP6\"\]" &&
    echo "$js" | grep -q '"source":"192.0.2.2"' &&
    echo "$js" | grep -q '"source6":"fe80::' ||
	tb_fail "carpctl status --json: $js"

# The client pings both, 20 times a second, with time stamps.
for f in 4 6; do
	vip=VIP$f
	"$TB_IP" netns exec "${TB_NS[c]}" ping -"$f" -n -D -i 0.05 -W 1 \
	    "${!vip}" >"$TB_DIR/ping$f.log" 2>&1 &
	TB_ALLPIDS+=("$!")
	eval "ping${f}_pid=$!"
done
tb_until 3 grep -q 'bytes from 2001:db8::100' "$TB_DIR/ping6.log" ||
	tb_fail "the client cannot ping $VIP6 on a"
tb_until 3 grep -q "bytes from $VIP4" "$TB_DIR/ping4.log" ||
	tb_fail "the client cannot ping $VIP4 on a"
sleep 0.5

tb_crash a
tb_until 10.2 both b || tb_fail "b did not take over both addresses"
tb_wait_log b 'vhid 7 on eth0: BACKUP -> MASTER \(master-down\)' 2 ||
	tb_fail "b: no BACKUP -> MASTER (master-down) line"
# The neighbour entry already points at b, long before NUD (5 s of
# DELAY at least) could have moved it.
tb_until 1 sh -c "'$TB_IP' -n '${TB_NS[c]}' -6 neigh show $VIP6 | grep -q '$(tb_mac b)'" ||
	tb_fail "the client's neighbour entry for $VIP6 does not point at b: $("$TB_IP" -n "${TB_NS[c]}" -6 neigh show "$VIP6")"
tb_holds 1.5 both b || tb_fail "b did not keep both addresses"
kill "$ping4_pid" "$ping6_pid" 2>/dev/null
wait "$ping4_pid" "$ping6_pid" 2>/dev/null

# Longest gap between replies, and a reply after it (from b).
gap() {
	sed -n 's/^\[\([0-9.]*\)\] [0-9]* bytes from .*/\1/p' "$1" |
	    awk 'NR > 1 && $1 - p > g { g = $1 - p } { p = $1; n++ }
		END { if (n < 2) exit 1; printf "%.3f\n", g }'
}
g4=$(gap "$TB_DIR/ping4.log") || tb_fail "no IPv4 replies"
g6=$(gap "$TB_DIR/ping6.log") || tb_fail "no IPv6 replies"
# b's master-down interval is 3.39 s; a's last advert was up to 1 s
# before the crash.  More than that plus 1.5 s: the caches waited.
tb_lt "$g4" 4.9 || tb_fail "IPv4 ping gap $g4 s"
tb_lt "$g6" 4.9 || tb_fail "IPv6 ping gap $g6 s"
tail -n 3 "$TB_DIR/ping6.log" | grep -q 'bytes from' ||
	tb_fail "the last IPv6 pings were not answered"
grep -q "$(tb_mac b)" <("$TB_IP" -n "${TB_NS[c]}" neigh show "$VIP4") ||
	tb_fail "the client's ARP entry for $VIP4 does not point at b"
tb_capture_stop
# b's unsolicited NA: from b's MAC to all nodes, Override set, the
# target link-layer address option (type 2) with b's MAC.  One packet a
# line: tcpdump puts the option on a line of its own.
tcpdump -r "$TB_DIR/br0.pcap" -e -n -v 'icmp6 and ip6[40] == 136' 2>/dev/null |
    awk '/^[^ \t]/ && NR > 1 { print l; l = "" } { l = l " " $0 } END { print l }' \
    >"$TB_DIR/na.txt"
grep " $(tb_mac b) > 33:33:00:00:00:01," "$TB_DIR/na.txt" |
    grep "> ff02::1: .*tgt is $VIP6, Flags \[override\]" |
    grep -q "link-address option (2), length 8 (1): $(tb_mac b)" ||
	tb_fail "no unsolicited NA for $VIP6 from b: $(cat "$TB_DIR/na.txt")"

# Both families on the wire, one of each per interval, HMAC over both.
out=$(python3 "$top_srcdir/tests/netns/tools/carp_wire.py" --pcap \
    "$TB_DIR/br0.pcap" --pass "$pw" --vhid 7 --addr "$VIP4" \
    --addr "$VIP6") || tb_fail "wire check: $out"
read -r n4 n6 < <(echo "$out" | sed -n 's/^ok: \([0-9]*\) IPv4, \([0-9]*\) IPv6 adverts$/\1 \2/p')
[ -n "$n4" ] && [ "$n4" -ge 4 ] || tb_fail "wire check: $out"
[ $((n4 - n6)) -ge -1 ] && [ $((n4 - n6)) -le 1 ] ||
	tb_fail "not one advert of each family per interval: $out"
grep -q " b up eth0 $VIP6 MASTER master-down" "$TB_EVENTS" &&
    grep -q " b up eth0 $VIP4 MASTER master-down" "$TB_EVENTS" ||
	tb_fail "b's up script did not run for both addresses"

tb_pass "longest ping gap: IPv4 $g4 s, IPv6 $g6 s; $n4 IPv4 and $n6 IPv6 adverts checked"
