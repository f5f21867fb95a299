#!/usr/bin/env bash
# ARP balancing for IPv6, with neighbour solicitations: 2001:db8::100
# over nodes 1 and 2 on two hosts, each master of one; six clients.
# Every solicitation of a client gets exactly one advertisement, from the
# port of the host whose node the client's address hashes to (FNV-1a of
# its 16 bytes, computed here apart from carpd), with the node's MAC, and
# the client's TCP connection reaches that host; no unsolicited
# advertisement for the address.  A host dies: its clients go on through
# the other with their neighbour entries unchanged.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_balance.sh
. "${top_srcdir:-.}/tests/netns/lib_balance.sh"

VIP=2001:db8::100
PY=/usr/bin/python3
CLIENTS=(11 12 13 14 15 16)
declare -A NODE_HOST=([1]=a [2]=b)
# shellcheck disable=SC2054 # the commas are carpnodes', not separators
declare -A SKEWS=([a]=1:0,2:100 [b]=1:100,2:0)
TB_IPV6=1
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
for i in "${CLIENTS[@]}"; do
	tb_host "k$i" "192.0.2.$i/24"
done
nsx() { local h=$1; shift; "$TB_IP" netns exec "${TB_NS[$h]}" "$@"; }
nsx a ip -6 addr add 2001:db8::1/64 dev eth0 nodad
nsx b ip -6 addr add 2001:db8::2/64 dev eth0 nodad
for i in "${CLIENTS[@]}"; do
	nsx "k$i" ip -6 addr add "2001:db8::$i/64" dev eth0 nodad
done
pass=$(tb_passfile group "bal6 $$")

for h in a b; do
	for ev in up down; do
		[ $ev = up ] && op=add || op=del
		cat >"$TB_DIR/$h.$ev" <<-EOF
		#!/bin/sh
		echo "\$(date +%s.%N) $h $ev \$1 \$2 \${CARP_STATE:--}" >>"$TB_EVENTS"
		$TB_IP -6 addr $op "\$2/128" dev "\$1" nodad 2>/dev/null
		exit 0
		EOF
		chmod +x "$TB_DIR/$h.$ev"
	done
	{
		tm_globals $h
		cat <<-EOF
		interface eth0 {
			passfile $pass
			upscript $TB_DIR/$h.up
			downscript $TB_DIR/$h.down
			balance { addr $VIP/128; carpnodes ${SKEWS[$h]}; preempt yes }
		}
		EOF
	} | tm_conf $h
done
neigh() { nsx "k$1" ip -6 neigh show "$VIP" dev eth0 | awk '{ print $3 }'; }
for h in a b; do
	bl_capture "nd-$h" "${TB_PORT[$h]}" icmp6 in
done
bl_capture nd-all br0 icmp6 inout
bl_capture adverts br0 "ip6 proto 112" inout
nddump() { tcpdump -r "$TB_DIR/nd-$1.pcap" -n -e 2>/dev/null; }

for h in a b; do
	bl_serve $h
	tm_carpd_conf $h
done
for h in a b; do
	tm_wait_ctl $h 10 || tb_fail "$h: no control socket"
done
tb_until 15 bl_master_is a 1 || tb_fail "a is master of '$(bl_master_of a)', not 1"
tb_until 10 bl_master_is b 2 || tb_fail "b is master of '$(bl_master_of b)', not 2"

declare -A WANT=() MAC=()
for i in "${CLIENTS[@]}"; do
	n=$(bl_node_of "2001:db8::$i" 1 2)
	WANT[$i]=${NODE_HOST[$n]}
	MAC[$i]=$(nsx "k$i" cat /sys/class/net/eth0/address)
	nsx "k$i" ip -6 neigh flush dev eth0
	got=$(bl_ask "$i")
	[ "$got" = "${WANT[$i]}" ] ||
		tb_fail "client ::$i (node $n) reached '$got', not ${WANT[$i]}"
	[ "$(neigh "$i")" = "00:00:5e:00:01:0$n" ] ||
		tb_fail "client ::$i: neighbour entry $(neigh "$i"), not node $n's MAC"
done
sleep 1
spread=
for i in "${CLIENTS[@]}"; do
	n=$(bl_node_of "2001:db8::$i" 1 2)
	asked=$(tcpdump -r "$TB_DIR/nd-all.pcap" -n 2>/dev/null |
	    grep "2001:db8::$i > " | grep -c "neighbor solicitation, who has $VIP,")
	[ "$asked" -ge 1 ] || tb_fail "client ::$i: no solicitation seen"
	for h in a b; do
		r=$(nddump $h | grep "> ${MAC[$i]}, " |
		    grep -c "neighbor advertisement, tgt is $VIP,")
		if [ "$h" != "${WANT[$i]}" ]; then
			[ "$r" -eq 0 ] || tb_fail "client ::$i: $r advertisements from $h"
			continue
		fi
		[ "$r" -eq "$asked" ] ||
			tb_fail "client ::$i: $r advertisements from $h to $asked solicitations"
		nddump $h | grep "> ${MAC[$i]}, " |
		    grep "neighbor advertisement, tgt is $VIP," |
		    grep -qv "^[^ ]* 00:00:5e:00:01:0$n > " &&
		    tb_fail "client ::$i: an advertisement from $h not from node $n's MAC"
	done
	spread="$spread ${WANT[$i]}"
done
for h in a b; do
	nddump $h | grep "> 33:33:00:00:00:01, " | grep -q "tgt is $VIP," &&
		tb_fail "$h sent an unsolicited advertisement for $VIP"
done
for n in 1 2; do
	all=$(tcpdump -r "$TB_DIR/adverts.pcap" -n -e -T carp 2>/dev/null |
	    grep -c "vhid=$n ")
	bad=$(tcpdump -r "$TB_DIR/adverts.pcap" -n -e -T carp 2>/dev/null |
	    grep "vhid=$n " | grep -vc "^[^ ]* 00:00:5e:00:01:0$n >")
	[ "$all" -gt 0 ] || tb_fail "node $n: no IPv6 advert captured"
	[ "$bad" -eq 0 ] || tb_fail "node $n: $bad IPv6 adverts not from its MAC"
done
tb_log "spread:$spread; one advertisement per solicitation"

# a dies: its clients go on through b, neighbour entries unchanged.
tb_crash a
A_CLIENTS=()
for i in "${CLIENTS[@]}"; do
	[ "${WANT[$i]}" = a ] && A_CLIENTS+=("$i")
done
got_b() { [ "$(bl_ask "$1")" = b ]; }
for i in "${A_CLIENTS[@]}"; do
	tb_until 12 got_b "$i" || tb_fail "client ::$i did not reach b"
	[ "$(neigh "$i")" = 00:00:5e:00:01:01 ] ||
		tb_fail "client ::$i: neighbour entry became $(neigh "$i")"
done
tb_until 5 bl_master_is b "1 2" || tb_fail "b is master of '$(bl_master_of b)'"
tb_pass "spread:$spread; ${#A_CLIENTS[@]} clients of a went on through b"
