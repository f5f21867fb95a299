#!/usr/bin/env bash
# ARP balancing: 192.0.2.100 over nodes 1, 2 and 3 on three hosts (a and
# b from carpd.conf balance blocks, c from --carpnodes), each master of
# one node; twelve clients 192.0.2.11 to .22.
#  - every ARP request of a client gets exactly one reply, from the port
#    of the host whose node the requester hashes to (FNV-1a, computed here
#    apart from carpd), with that node's MAC; no gratuitous ARP for the
#    address; the adverts of node N come from 00:00:5e:00:01:0N;
#  - every client's TCP request reaches that host (a server per host
#    answers its name); carpctl status says which nodes each host masters;
#  - b dies (SIGKILL of everything in it): its clients reach a survivor
#    with their ARP entries unchanged; b comes back with preempt: node 2
#    and its clients return to b;
#  - an ARP flood (tcpreplay, thousands a second from many sources) is
#    answered at the bounded rate, the adverts stay on time, no
#    transition; carpd's CPU for it is printed.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_balance.sh
. "${top_srcdir:-.}/tests/netns/lib_balance.sh"

VIP=192.0.2.100
PY=/usr/bin/python3
CLIENTS=(11 12 13 14 15 16 17 18 19 20 21 22)
# shellcheck disable=SC2054 # the commas are carpnodes', not separators
declare -A NODE_HOST=([1]=a [2]=b [3]=c) SKEWS=(
	[a]=1:0,2:100,3:100 [b]=1:100,2:0,3:100 [c]=1:100,2:100,3:0)
tb_init
for t in nft tcpreplay tshark; do
	command -v $t >/dev/null || { echo "${0##*/}: SKIP: no $t" >&2; exit 77; }
done
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_host c 192.0.2.3/24
for i in "${CLIENTS[@]}"; do
	tb_host "k$i" "192.0.2.$i/24"
done
tb_host fl 192.0.2.99/24	# the flooder
pass=$(tb_passfile group "balance $$")
nsx() { local h=$1; shift; "$TB_IP" netns exec "${TB_NS[$h]}" "$@"; }

# Scripts: the balanced address as a /32 on the node's device.
for h in a b c; do
	for ev in up down; do
		[ $ev = up ] && op=add || op=del
		cat >"$TB_DIR/$h.$ev" <<-EOF
		#!/bin/sh
		echo "\$(date +%s.%N) $h $ev \$1 \$2 \${CARP_STATE:--}" >>"$TB_EVENTS"
		$TB_IP addr $op "\$2/32" dev "\$1" 2>/dev/null
		exit 0
		EOF
		chmod +x "$TB_DIR/$h.$ev"
	done
done

neigh() { nsx "k$1" ip neigh show "$VIP" dev eth0 | awk '{ print $3 }'; }
mac_of() { nsx "$1" cat /sys/class/net/eth0/address; }
arpstat() {	# arpstat HOST FIELD
	tm_ctl "$1" status --json | "$PY" -c 'import json, sys
d = json.load(sys.stdin)
print(sum(i["arp_balancing"][sys.argv[1]] for i in d["interfaces"]))' "$2"
}

for h in a b; do
	{
		tm_globals $h
		cat <<-EOF
		interface eth0 {
			passfile $pass
			upscript $TB_DIR/$h.up
			downscript $TB_DIR/$h.down
			balance {
				addr $VIP/32
				carpnodes ${SKEWS[$h]}
				preempt yes
			}
		}
		EOF
	} | tm_conf $h
done
start_host() {
	bl_serve "$1"
	if [ "$1" = c ]; then
		tb_carpd c -i eth0 --carpnodes "${SKEWS[c]}" -a "$VIP/32" \
		    -o "$pass" -P -u "$TB_DIR/c.up" -d "$TB_DIR/c.down" \
		    --control-socket "$TB_DIR/c.sock" --pidfile "$TB_DIR/c.pid"
	else
		tm_carpd_conf "$1"
	fi
}

# Captures: ARP from each host's port (what the host sent), the
# clients' ARP, and the adverts, on the switch.
for h in a b c; do
	bl_capture "arp-$h" "${TB_PORT[$h]}" arp
done
bl_capture adverts br0 "ip proto 112" inout
bl_capture arp-all br0 arp inout
arpdump() { tcpdump -r "$TB_DIR/arp-$1.pcap" -n -e 2>/dev/null; }

for h in a b c; do
	start_host $h
done
for h in a b c; do
	tm_wait_ctl $h 10 || tb_fail "$h: no control socket"
done
tb_until 15 bl_master_is a 1 || tb_fail "a is master of '$(bl_master_of a)', not 1"
tb_until 10 bl_master_is b 2 || tb_fail "b is master of '$(bl_master_of b)', not 2"
tb_until 10 bl_master_is c 3 || tb_fail "c is master of '$(bl_master_of c)', not 3"
tm_ctl a status | grep -q "^balance $VIP on eth0: nodes 1 2 3, master of 1$" ||
	tb_fail "a's carpctl status: $(tm_ctl a status)"

# Every client asks once; the hash names the host that answers.
declare -A WANT=() GOT=() MAC=()
spread=
for i in "${CLIENTS[@]}"; do
	n=$(bl_node_of "192.0.2.$i" 1 2 3)
	WANT[$i]=${NODE_HOST[$n]}
	MAC[$i]=$(mac_of "k$i")
	nsx "k$i" ip neigh flush dev eth0
	GOT[$i]=$(bl_ask "$i")
	[ "${GOT[$i]}" = "${WANT[$i]}" ] ||
		tb_fail "client .$i (node $n) reached '${GOT[$i]}', not ${WANT[$i]}"
	[ "$(neigh "$i")" = "00:00:5e:00:01:0$n" ] ||
		tb_fail "client .$i: ARP entry $(neigh "$i"), not node $n's MAC"
	spread="$spread ${WANT[$i]}"
done
sleep 1
n_a=$(echo "$spread" | tr ' ' '\n' | grep -c '^a$')
n_b=$(echo "$spread" | tr ' ' '\n' | grep -c '^b$')
n_c=$(echo "$spread" | tr ' ' '\n' | grep -c '^c$')

# Exactly one reply per request, from the host the hash names, from the
# node's MAC; the requests as the switch saw them.
for i in "${CLIENTS[@]}"; do
	n=$(bl_node_of "192.0.2.$i" 1 2 3)
	asked=$(tcpdump -r "$TB_DIR/arp-all.pcap" -n 2>/dev/null |
	    grep -c "Request who-has $VIP tell 192.0.2.$i,")
	[ "$asked" -ge 1 ] || tb_fail "client .$i: no ARP request seen"
	for h in a b c; do
		r=$(arpdump $h | grep -c "> ${MAC[$i]}, .*Reply $VIP is-at")
		if [ "$h" != "${WANT[$i]}" ]; then
			[ "$r" -eq 0 ] || tb_fail "client .$i: $r replies from $h"
			continue
		fi
		[ "$r" -eq "$asked" ] ||
			tb_fail "client .$i: $r replies from $h to $asked requests"
		arpdump $h | grep "> ${MAC[$i]}, .*Reply $VIP is-at" |
		    grep -qv "^[^ ]* 00:00:5e:00:01:0$n > .*is-at 00:00:5e:00:01:0$n," &&
		    tb_fail "client .$i: a reply from $h not from node $n's MAC"
	done
done
for h in a b c; do
	arpdump $h | grep -q "Request who-has $VIP tell $VIP" &&
		tb_fail "$h sent a gratuitous ARP for $VIP"
done
# The adverts of node N from its MAC (and so from its master's port).
for n in 1 2 3; do
	bad=$(tcpdump -r "$TB_DIR/adverts.pcap" -n -e -T carp 2>/dev/null |
	    grep "vhid=$n " | grep -vc "^[^ ]* 00:00:5e:00:01:0$n >")
	[ "$bad" -eq 0 ] || tb_fail "node $n: $bad adverts not from its MAC"
done
tb_log "spread a=$n_a b=$n_b c=$n_c as the hash says; one reply per request"

# b dies; its clients go on through a survivor, ARP entries unchanged.
B_CLIENTS=()
for i in "${CLIENTS[@]}"; do
	[ "${WANT[$i]}" = b ] && B_CLIENTS+=("$i")
done
# The survivors' master-down interval for node 2 (doc/protocol.md,
# Timers: deadratio * advbase + advskew/256 s), counted from b's last
# advert; loosely bound at three times that (the machine may be loaded).
down=$(awk 'BEGIN { printf "%.3f", 3 * 1 + 100 / 256 }')
t_crash=$(date +%s.%N)
end=$(awk -v t="$t_crash" -v d="$down" 'BEGIN { printf "%.3f", t + 3 * d }')
tb_crash b
reached() { g=$(bl_ask "$1"); [ "$g" = a ] || [ "$g" = c ]; }
# Each of b's clients asks in a loop of its own; the time it first gets
# an answer from a survivor goes into its file.
for i in "${B_CLIENTS[@]}"; do
	(
		left=$(tb_elapsed "$(date +%s.%N)" "$end")
		tb_lt 0 "$left" && tb_until "$left" reached "$i" &&
		    date +%s.%N >"$TB_DIR/back.$i"
	) &
	TB_ALLPIDS+=("$!")
done
wait_back() {
	local i
	for i in "${B_CLIENTS[@]}"; do
		[ -s "$TB_DIR/back.$i" ] || return 1
	done
}
tb_until "$(awk -v d="$down" 'BEGIN { print 3 * d + 1 }')" wait_back
t_first='' t_last=''
for i in "${B_CLIENTS[@]}"; do
	[ -s "$TB_DIR/back.$i" ] ||
		tb_fail "client .$i reached no survivor within 3 x $down s"
	t=$(tb_elapsed "$t_crash" "$(cat "$TB_DIR/back.$i")")
	[ -z "$t_first" ] || tb_lt "$t" "$t_first" && t_first=$t
	[ -z "$t_last" ] || tb_lt "$t_last" "$t" && t_last=$t
	[ "$(neigh "$i")" = 00:00:5e:00:01:02 ] ||
		tb_fail "client .$i: ARP entry became $(neigh "$i")"
done
t_back="$t_first to $t_last"
tb_log "b's ${#B_CLIENTS[@]} clients reach a survivor ${t_back} s after the crash (master-down $down s)"
survivor=$( (bl_master_of a; bl_master_of c) | tr ' ' '\n' | grep -c '^2$')
[ "$survivor" -eq 1 ] || tb_fail "node 2 has $survivor masters among a and c"
for i in "${CLIENTS[@]}"; do
	[ "${WANT[$i]}" = b ] && continue
	[ "$(bl_ask "$i")" = "${WANT[$i]}" ] || tb_fail "client .$i lost ${WANT[$i]}"
done

# b comes back: preempt gives it node 2 again, and its clients.
start_host b
tm_wait_ctl b 10 || tb_fail "b: no control socket after the restart"
tb_until 15 bl_master_is b 2 || tb_fail "b is master of '$(bl_master_of b)' again"
tb_until 10 bl_master_is a 1 || tb_fail "a still holds '$(bl_master_of a)'"
tb_until 10 bl_master_is c 3 || tb_fail "c still holds '$(bl_master_of c)'"
got_b() { [ "$(bl_ask "$1")" = b ]; }
for i in "${B_CLIENTS[@]}"; do
	tb_until 10 got_b "$i" || tb_fail "client .$i did not come back to b"
	[ "$(neigh "$i")" = 00:00:5e:00:01:02 ] ||
		tb_fail "client .$i: ARP entry became $(neigh "$i")"
done

# The flood: 9000 requests for the address a second, from 768 sources
# (random MACs), for 3 s, from the flooder.
"$PY" - "$TB_DIR/flood.pcap" "$VIP" <<'EOF'
import ipaddress, os, struct, sys
vip = ipaddress.IPv4Address(sys.argv[2]).packed
nets = ["192.0.2.%d", "198.51.100.%d", "203.0.113.%d"]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for k in range(9000):
        src = ipaddress.IPv4Address(nets[k % 3] % (k // 3 % 256)).packed
        mac = b"\x02" + os.urandom(5)
        arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac + src + \
            b"\0" * 6 + vip
        fr = b"\xff" * 6 + mac + b"\x08\x06" + arp + b"\0" * 18
        f.write(struct.pack("<IIII", 0, 0, len(fr), len(fr)) + fr)
EOF
cpu_ticks() {	# user + system ticks of HOST's carpd processes
	local p t=0
	for p in $("$TB_IP" netns pids "${TB_NS[$1]}"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = carpd ] || continue
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
	done
	echo $t
}
declare -A ANS0=() LIM0=() REQ0=() CPU0=()
for h in a b c; do
	ANS0[$h]=$(arpstat $h answered)
	LIM0[$h]=$(arpstat $h limited)
	REQ0[$h]=$(arpstat $h requests)
	CPU0[$h]=$(cpu_ticks $h)
done
tr0=$(( $(tb_count a ' -> ') + $(tb_count b ' -> ') + $(tb_count c ' -> ') ))
t0=$(date +%s.%N)
nsx fl tcpreplay -q -i eth0 --pps=9000 --loop=3 "$TB_DIR/flood.pcap" \
    >"$TB_DIR/tcpreplay.log" 2>&1 || tb_fail "tcpreplay: $(cat "$TB_DIR/tcpreplay.log")"
t1=$(date +%s.%N)
sleep 0.5
dt=$(tb_elapsed "$t0" "$t1")
hz=$(getconf CLK_TCK)
report=
for h in a b c; do
	ans=$(( $(arpstat $h answered) - ANS0[$h] ))
	lim=$(( $(arpstat $h limited) - LIM0[$h] ))
	req=$(( $(arpstat $h requests) - REQ0[$h] ))
	cpu=$(awk -v t=$(( $(cpu_ticks $h) - CPU0[$h] )) -v hz="$hz" -v d="$dt" \
	    'BEGIN { printf "%.1f", 100 * t / hz / d }')
	bound=$(awk -v d="$dt" 'BEGIN { printf "%d", 200 + 1000 * (d + 0.5) * 1.1 + 20 }')
	[ "$ans" -le "$bound" ] ||
		tb_fail "$h answered $ans in $dt s: over the bound $bound"
	rate=$(awk -v n="$req" -v d="$dt" 'BEGIN { printf "%d", n / 3 / d }')
	# Over the bucket's rate (a third of the requests are each host's):
	# some must have been held back.
	if [ "$rate" -gt 1500 ]; then
		[ "$lim" -gt 0 ] || tb_fail "$h: $req requests, none over the rate"
	fi
	report="$report $h: $req requests, $ans answered, $lim over the rate, carpd CPU ${cpu}%;"
done
tr1=$(( $(tb_count a ' -> ') + $(tb_count b ' -> ') + $(tb_count c ' -> ') ))
[ "$tr1" -eq "$tr0" ] || tb_fail "$((tr1 - tr0)) transitions during the flood"
# The adverts kept their 1 s interval (loosely: no gap of 2.5 s).
gap=$(tcpdump -r "$TB_DIR/adverts.pcap" -n -tt -T carp 2>/dev/null |
    awk -v t0="$t0" -v t1="$t1" '{
	for (i = 1; i <= NF; i++) if ($i ~ /^vhid=/) v = $i
	if ($1 >= t0 - 1 && $1 <= t1 + 1) {
		if (v in last && $1 - last[v] > max) max = $1 - last[v]
		last[v] = $1
	} } END { printf "%.3f", max }')
tb_lt "$gap" 2.5 || tb_fail "an advert gap of $gap s during the flood"
tb_log "flood of $dt s:$report longest advert gap $gap s"

# A clean exit (a leak would show in the exit status under ASan) removes
# the node devices.
for h in a b c; do
	tb_signal $h TERM
done
for h in a b c; do
	tb_wait_exit $h 10 || tb_fail "$h did not exit within 10 s of SIGTERM"
	[ "$TB_RC" -eq 0 ] || tb_fail "$h exited $TB_RC, not 0"
	left=$(nsx $h ip -o link show | grep -c ' carp[0-9]*\.[123][@:]')
	[ "$left" -eq 0 ] || tb_fail "$h left $left node devices"
done
tb_pass "spread a=$n_a b=$n_b c=$n_c; b's clients through a survivor ${t_back} s after its crash (master-down $down s); flood:$report advert gap $gap s"
