#!/usr/bin/env bash
# An IPv6-only group (doc/protocol.md, IPv6): a (advskew 0, --preempt) is
# elected over b, b takes over when a crashes, a takes the address back
# when it returns (with --srcip its link-local address), and a's bow-out
# on SIGTERM hands it to b at once.  b starts without a link-local
# address: it waits, and starts when rtnetlink reports one.
# Every IPv6 advert on the wire is checked by the test itself (fields,
# checksum over the CARP header only, HMAC) and dissected by tshark.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

VIP=2001:db8::100
TB_IPV6=1
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
pw="ipv6 $$"
pass=$(tb_passfile group "$pw")
tb_capture || tb_fail "tcpdump did not start"
ll() {
	"$TB_IP" -n "${TB_NS[$1]}" -6 -o addr show dev eth0 scope link |
	    awk '{ sub("/.*", "", $4); print $4; exit }'
}
lla=$(ll a)
[ -n "$lla" ] || tb_fail "a has no link-local address"
"$TB_IP" -n "${TB_NS[b]}" -6 addr flush dev eth0 scope link
llb=fe80::b

common=(-i eth0 -v 7 -o "$pass" -a "$VIP/64" -b 1)
a_args=("${common[@]}" -k 0 -P -u "$TB_DIR/a.up" -d "$TB_DIR/a.down")
tb_carpd a "${a_args[@]}"
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_log b 'eth0: no IPv6 address to send adverts from; vhid 7 waits' 5 ||
	tb_fail "b does not wait for an IPv6 address"
"$TB_IP" -n "${TB_NS[b]}" -6 addr add "$llb/64" dev eth0 nodad
tb_wait_log b "vhid 7 on eth0: source $llb," 3 ||
	tb_fail "b did not start when its link-local address came"
tb_wait_settled "$VIP" a 8 || tb_fail "a did not become the only holder"
tb_loggrep a "vhid 7 on eth0: source $lla," ||
	tb_fail "a does not send from its link-local address $lla"
tb_holds 1.5 tb_only_holder "$VIP" a || tb_fail "a did not stay the only holder"
grep -q " a up eth0 $VIP MASTER " "$TB_EVENTS" ||
	tb_fail "a's up script did not get $VIP"

# Crash: b takes over after its master-down interval (3.39 s).
t_crash=$(date +%s.%N)
tb_crash a
tb_wait_settled "$VIP" b 10.2 || tb_fail "b did not take over"
took=$(tb_elapsed "$t_crash" "$(tb_event_time ' b up ')")
tb_wait_log b 'vhid 7 on eth0: BACKUP -> MASTER \(master-down\)' 2 ||
	tb_fail "b: no BACKUP -> MASTER (master-down) line"
tb_lt 2.0 "$took" || tb_fail "b took over after $took s, before master-down"

# a comes back and preempts.
tb_carpd a "${a_args[@]}" -s "$lla"
tb_wait_settled "$VIP" a 6 || tb_fail "a did not take the address back"
tb_wait_log a 'vhid 7 on eth0: BACKUP -> MASTER \(preempt\)' 2 ||
	tb_fail "a: no BACKUP -> MASTER (preempt) line"
tb_wait_log b 'vhid 7 on eth0: MASTER -> BACKUP \(preferred-master\)' 2 ||
	tb_fail "b: no MASTER -> BACKUP (preferred-master) line"

# SIGTERM: the bow-out advert lets b take over at once.
t_term=$(date +%s.%N)
tb_signal a TERM
tb_wait_exit a 10 || tb_fail "a did not exit within 10 s of SIGTERM"
tb_wait_settled "$VIP" b 5 || tb_fail "b did not take over after the bow-out"
bow=$(tb_elapsed "$t_term" "$(tb_event_time ' b up ' | tail -n 1)")
tb_wait_log b 'BACKUP -> MASTER \(master-bowed-out\)' 2 ||
	tb_fail "b: no BACKUP -> MASTER (master-bowed-out) line"
tb_lt "$bow" 2 || tb_fail "b took over $bow s after SIGTERM: no bow-out?"
tb_holds 1 tb_only_holder "$VIP" b || tb_fail "b did not stay the only holder"
tb_capture_stop

# The wire: every advert, by the test's own arithmetic.
out=$(python3 "$top_srcdir/tests/netns/tools/carp_wire.py" --pcap \
    "$TB_DIR/br0.pcap" --pass "$pw" --vhid 7 --addr "$VIP" \
    --src "$lla" --src "$llb" --family inet6) ||
	tb_fail "wire check: $out"
n6=$(echo "$out" | sed -n 's/^ok: 0 IPv4, \([0-9]*\) IPv6 adverts$/\1/p')
[ -n "$n6" ] && [ "$n6" -ge 5 ] || tb_fail "wire check: $out"
# tshark dissects them as CARP, checksum good (1), none bad.  Its CARP
# heuristic looks at IPv4 only: IPv6 protocol 112 is VRRP to it unless
# told otherwise.
command -v tshark >/dev/null ||
	tb_fail "tshark is not installed (tests/run-all.sh installs it)"
ts=$(tshark -r "$TB_DIR/br0.pcap" -d ip.proto==112,carp -Y 'ipv6.nxt == 112' \
    -T fields -e carp.vhid -e carp.checksum.status -e carp.adver_int \
    2>"$TB_DIR/tshark.err") || tb_fail "tshark failed: $(cat "$TB_DIR/tshark.err")"
nts=$(echo "$ts" | grep -c .)
[ "$nts" -eq "$n6" ] || tb_fail "tshark saw $nts IPv6 CARP frames, not $n6"
echo "$ts" | awk '$1 != 7 || $2 != 1 { bad = 1 } END { exit bad }' ||
	tb_fail "tshark: not CARP vhid 7 with a good checksum: $(echo "$ts" | sort | uniq -c)"
echo "$ts" | awk '$3 == 255 { n++ } END { exit n != 1 }' ||
	tb_fail "not one IPv6 bow-out advert (advbase 255) on the wire"

tb_pass "b took over $took s after a crash, $bow s after SIGTERM; $n6 IPv6 adverts checked"
