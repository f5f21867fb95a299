#!/usr/bin/env bash
# An IPv6-only group under attack (doc/protocol.md, IPv6 and Receive
# checks).  A host with the wrong password: its adverts are dropped as
# "hmac" and the group does not notice.  Junk IPv6 CARP frames (hop
# limit 64, an extension header, a fragment, a bad checksum, a short
# header, another destination): each dropped, counted under its reason,
# the master unmoved.  Then the master crashes, b takes over, and a's
# recorded IPv6 adverts replayed at b are dropped as "replay".
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_hard.sh
. "${top_srcdir:-.}/tests/netns/lib_hard.sh"

VIP=2001:db8::100
TB_IPV6=1
tb_init
th_need_scapy
tb_switch
th_plain_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_host c 192.0.2.3/24		# wrong password
tb_host x 192.0.2.66/24		# the attacker
tb_scripts
pass=$(tb_passfile group "hostile6 $$")
wrong=$(tb_passfile wrong "not the password")
ctl=$TB_DIR/a.sock
tb_capture || tb_fail "tcpdump did not start"

common=(-i eth0 -v 7 -a "$VIP/64" -b 1)
tb_carpd a "${common[@]}" -o "$pass" -k 0 -u "$TB_DIR/a.up" \
    -d "$TB_DIR/a.down" --control-socket "$ctl"
tb_carpd b "${common[@]}" -o "$pass" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_settled "$VIP" a 8 || tb_fail "a did not become the only holder"
na=$(th_transitions a)
nb=$(th_transitions b)

# Wrong password: c is heard, and dropped.
tb_carpd c "${common[@]}" -o "$wrong" -k 50
tb_wait_log a 'dropped packet from fe80::[0-9a-f:]*: hmac' 6 ||
	tb_fail "a did not drop c's adverts as hmac"
tb_wait_log b 'dropped packet from fe80::[0-9a-f:]*: hmac' 2 ||
	tb_fail "b did not drop c's adverts as hmac"
tb_crash c

# Junk: each kind dropped and counted, by the kernel's capture filter
# (doc/protocol.md, "Kernel filter": hop limit, extension headers,
# fragments, lengths) or by carpd under its own reason (the checksum, a
# destination of another host).  The log lines are rate-limited; the
# counters are not.
ctl_json() {
	"${CARPCTL:-$(dirname "$CARPD")/carpctl}" -s "$ctl" status --json
}
counted() {
	ctl_json | grep -Eq "\"$1\":[1-9]"
}
kernel() {
	ctl_json | sed -n 's/.*"kernel_filtered":\([0-9]*\).*/\1/p'
}
kernel_grew() {
	[ "$(kernel)" -gt "$1" ]
}
mac_a=$("$TB_IP" -n "${TB_NS[a]}" -o link show dev eth0 |
    sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
for kind in hoplimit:kernel exthdr:kernel fragment:kernel \
    checksum:carp-checksum length:kernel dst:destination; do
	k0=$(kernel)
	th_py x carp6_hostile.py --iface eth0 --junk "${kind%%:*}" \
	    --dst-mac "$mac_a" ||
		tb_fail "carp6_hostile.py --junk ${kind%%:*} failed"
	if [ "${kind#*:}" = kernel ]; then
		tb_until 2 kernel_grew "$k0" ||
			tb_fail "the kernel did not filter the ${kind%%:*} frames: $(ctl_json)"
		continue
	fi
	tb_until 2 counted "${kind#*:}" ||
		tb_fail "a did not count the ${kind%%:*} frames as ${kind#*:}: $(ctl_json)"
done
for r in ttl ipv6-extension-header fragment length; do
	! counted "$r" || tb_fail "a counted $r drops: the kernel should have: $(ctl_json)"
done
tb_loggrep a 'dropped packet from fe80::6666: carp-checksum' ||
	tb_fail "a did not log the first junk frame it saw"
tb_holds 1.5 tb_only_holder "$VIP" a || tb_fail "a did not stay the only holder"
[ "$(th_transitions a)" -eq "$na" ] && [ "$(th_transitions b)" -eq "$nb" ] ||
	tb_fail "the junk or the wrong password moved the group"
tb_capture_stop
cp "$TB_DIR/br0.pcap" "$TB_DIR/a-adverts.pcap"

# Replay of the dead master's IPv6 adverts.
tb_crash a
tb_wait_settled "$VIP" b 10.2 || tb_fail "b did not take over"
nb=$(th_transitions b)
th_py x carp6_hostile.py --iface eth0 --replay "$TB_DIR/a-adverts.pcap" \
    --vhid 7 --times 2 || tb_fail "carp6_hostile.py --replay failed"
tb_wait_log b 'dropped packet from fe80::[0-9a-f:]*: replay' 2 ||
	tb_fail "b did not drop the replayed adverts as replay"
tb_holds 1.5 tb_only_holder "$VIP" b || tb_fail "b stepped down for a replay"
[ "$(th_transitions b)" -eq "$nb" ] || tb_fail "b changed state on the replay"
{ tb_alive b; } || tb_fail "b died"

tb_pass "wrong password, six kinds of junk and a replay dropped"
