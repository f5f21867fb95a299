#!/usr/bin/env bash
# ARP balancing across a reload and an interface that goes away and comes
# back: the network process (sandboxed, unprivileged) opens its ARP
# capture again with the new set of balanced addresses.  Two hosts, nodes
# 1 and 2; a client for each node.
#  - both hosts reload with a second balanced address: requests for it
#    are answered (by the master of the client's node), and a balance
#    block made a plain vhid no longer answers at all;
#  - the interface of a host goes down and up: its answers resume.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

PY=/usr/bin/python3
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_host k12 192.0.2.12/24	# hashes to node 2 of 1, 2 (b)
tb_host k15 192.0.2.15/24	# hashes to node 1 (a)
tb_scripts
pass=$(tb_passfile group "reload $$")
nsx() { local h=$1; shift; "$TB_IP" netns exec "${TB_NS[$h]}" "$@"; }

# conf HOST SKEWS ADDRS...: a balance block over nodes 1 and 2.
conf() {
	local h=$1 skews=$2 a
	shift 2
	{
		tm_globals "$h"
		printf 'interface eth0 {\n\tpassfile %s\n\tbalance {\n' "$pass"
		for a in "$@"; do
			printf '\t\taddr %s/32\n' "$a"
		done
		printf '\t\tcarpnodes %s\n\t\tpreempt yes\n\t}\n}\n' "$skews"
	} | tm_conf "$h"
}
# The MAC a client gets for ADDR by ARP (python3: one request, 1 s).
arp_mac() {
	nsx "$1" ip neigh flush dev eth0
	nsx "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1
	nsx "$1" ip neigh show "$2" dev eth0 | awk '$3 ~ /:/ { print $3 }'
}
mac_is() { [ "$(arp_mac "$1" "$2")" = "$3" ]; }
answered() { tm_ctl "$1" status --json | "$PY" -c 'import json, sys
print(sum(i["arp_balancing"]["answered"] for i in json.load(sys.stdin)["interfaces"]))'; }

conf a 1:0,2:100 192.0.2.100
conf b 1:100,2:0 192.0.2.100
tm_carpd_conf a
tm_carpd_conf b
tb_wait_log a 'vhid 1 on eth0: BACKUP -> MASTER' 10 || tb_fail "a not master of 1"
tb_wait_log b 'vhid 2 on eth0: BACKUP -> MASTER' 10 || tb_fail "b not master of 2"
# The kernel does not answer (no address on the node devices: no
# scripts here), carpd does.
tb_until 5 mac_is k15 192.0.2.100 00:00:5e:00:01:01 || tb_fail "k15: $(arp_mac k15 192.0.2.100)"
tb_until 5 mac_is k12 192.0.2.100 00:00:5e:00:01:02 || tb_fail "k12: $(arp_mac k12 192.0.2.100)"
[ -z "$(arp_mac k15 192.0.2.101)" ] || tb_fail "192.0.2.101 answered before it is balanced"

# Reload: a second address.
conf a 1:0,2:100 192.0.2.100 192.0.2.101
conf b 1:100,2:0 192.0.2.100 192.0.2.101
tb_signal a HUP
tb_signal b HUP
tb_wait_log a 'reloaded' 10 || tb_fail "a did not reload"
tb_wait_log b 'reloaded' 10 || tb_fail "b did not reload"
tb_until 10 mac_is k15 192.0.2.101 00:00:5e:00:01:01 || tb_fail "k15 after the reload: $(arp_mac k15 192.0.2.101)"
tb_until 10 mac_is k12 192.0.2.101 00:00:5e:00:01:02 || tb_fail "k12 after the reload: $(arp_mac k12 192.0.2.101)"

# a's interface goes down and comes back: its answers resume.
nsx a ip link set eth0 down
tb_wait_log a 'vhid 1 on eth0: MASTER -> ' 10 || tb_fail "a did not see its link go"
tb_until 10 mac_is k15 192.0.2.100 00:00:5e:00:01:01 || tb_fail "node 1 not answered by b"
n=$(answered a)
nsx a ip link set eth0 up
tb_until 15 tm_state_is a 1 eth0 MASTER || tb_fail "a not master of 1 again"
tb_until 10 mac_is k15 192.0.2.100 00:00:5e:00:01:01 || tb_fail "k15 after the link came back"
more() { [ "$(answered a)" -gt "$n" ]; }
tb_until 5 more || tb_fail "a answers no more after its link came back"

# No balancing left: a plain vhid 1 for .100 on both; vhid 2 gone.
for h in a b; do
	{
		tm_globals $h
		printf 'vhid 1 {\n\tinterface eth0\n\tpassfile %s\n\taddr 192.0.2.100/32\n}\n' "$pass"
	} | tm_conf $h
	tb_signal $h HUP
done
tb_until 10 tb_loggrep a 'reloaded.*1 removed' || tb_fail "a did not drop vhid 2"
tb_until 10 tb_loggrep b 'reloaded.*1 removed' || tb_fail "b did not drop vhid 2"
n=$(answered a)
sleep 1
[ -z "$(arp_mac k12 192.0.2.101)" ] || tb_fail "192.0.2.101 still answered"
[ "$(answered a)" -eq "$n" ] || tb_fail "a still answers"
tm_ctl a status | grep -q '^balance ' && tb_fail "a still shows a balanced address"
tb_pass "ARP answers follow the reloads and the interface"
