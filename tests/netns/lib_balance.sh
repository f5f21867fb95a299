# shellcheck shell=bash
# Helpers of the balancing tests (v_balance.sh, v_balance6.sh), sourced
# after lib.sh and lib_multi.sh.  $PY is python3 and $VIP the balanced
# address (IPv4 or IPv6); the clients are namespaces kN.
#
#   bl_node_of ADDR NODE...   the node the hash names for requester ADDR:
#                             FNV-1a of its bytes, mod the nodes, which
#                             are given sorted (doc/protocol.md)
#   bl_serve HOST             a TCP server on port 8080 in HOST that
#                             answers HOST's name
#   bl_ask N                  the name client kN got from $VIP:8080, or
#                             nothing
#   bl_master_of HOST         the nodes HOST is master of, as "1 3"
#   bl_master_is HOST NODES   ... are NODES
#   bl_capture NAME PORT FILTER [DIRECTION]
#                             tcpdump on the switch's PORT into
#                             $TB_DIR/NAME.pcap, DIRECTION in (default)

bl_node_of() {
	"$PY" -c 'import sys, ipaddress
h = 2166136261
for b in ipaddress.ip_address(sys.argv[1]).packed:
    h = ((h ^ b) * 16777619) & 0xffffffff
nodes = sys.argv[2:]
print(nodes[h % len(nodes)])' "$@"
}

bl_serve() {
	local any=0.0.0.0 family=AF_INET
	case $VIP in *:*) any=:: family=AF_INET6 ;; esac
	"$TB_IP" netns exec "${TB_NS[$1]}" "$PY" -c 'import socket, sys
s = socket.socket(getattr(socket, sys.argv[2]))
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[3], 8080))
s.listen(64)
while True:
    c, _ = s.accept()
    c.sendall(sys.argv[1].encode() + b"\n")
    c.close()' "$1" "$family" "$any" >/dev/null 2>&1 &
	TB_ALLPIDS+=("$!")
}

bl_ask() {
	"$TB_IP" netns exec "${TB_NS[k$1]}" "$PY" -c 'import socket, sys
try:
    s = socket.create_connection((sys.argv[1], 8080), timeout=0.5)
    print(s.recv(64).decode().strip())
except OSError:
    pass' "$VIP"
}

bl_master_of() {
	tm_ctl "$1" status --json 2>/dev/null | "$PY" -c 'import json, sys
d = json.load(sys.stdin)
print(" ".join(str(n) for b in d["balanced"] for n in b["master_of"]))'
}

bl_master_is() {
	[ "$(bl_master_of "$1")" = "$2" ]
}

bl_capture() {
	"$TB_IP" netns exec "$TB_SW" tcpdump -i "$2" -Q "${4:-in}" -U -n -w \
	    "$TB_DIR/$1.pcap" "$3" >"$TB_DIR/$1.tcpdump.log" 2>&1 &
	TB_ALLPIDS+=("$!")
	tb_until 5 grep -q "listening on" "$TB_DIR/$1.tcpdump.log"
}
