#!/usr/bin/env bash
# Peers behind a router (--peer-routed).  a (192.0.2.1, on br0) and b
# (198.51.100.2, on br1) reach each other through router r, which
# lowers the TTL to 254.
#  1. Without --peer-routed, b's kernel filter drops a's adverts (TTL
#     254; counted in carpctl status) and both become master.
#  2. With it on both: the frames go to the router's MAC (the route's
#     gateway, resolved by the kernel); a (advskew 0) is the only master.
#  3. a crashes: b takes over.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

VIP=203.0.113.10
tb_init
tb_switch
tm_switch2
tb_host a 192.0.2.1/24
tb_host r 192.0.2.254/24
tm_iface r eth1 198.51.100.254/24
tb_host b 198.51.100.2/24
# b's eth0 goes to br1, not br0.
ip -n "$TB_SW" link set "${TB_PORT[b]}" nomaster
ip -n "$TB_SW" link set "${TB_PORT[b]}" master br1
ip netns exec "${TB_NS[r]}" sysctl -qw net.ipv4.ip_forward=1
ip -n "${TB_NS[a]}" route add 198.51.100.0/24 via 192.0.2.254
ip -n "${TB_NS[b]}" route add 192.0.2.0/24 via 198.51.100.254
ip netns exec "${TB_NS[a]}" ping -n -q -c 1 -W 2 198.51.100.2 >/dev/null ||
	tb_fail "a cannot reach b through r"
tb_scripts
pass=$(tb_passfile group "routed $$")
rmac=$(ip -n "${TB_NS[r]}" link show eth0 | awk '/ether/ { print $2 }')

common=(-i eth0 -v 3 -o "$pass" -a "$VIP/32" -b 1)
# 1.
tb_carpd a "${common[@]}" -k 0 --peer=198.51.100.2 -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${common[@]}" -k 100 --peer=192.0.2.1 -u "$TB_DIR/b.up" \
    -d "$TB_DIR/b.down" --control-socket "$TB_DIR/b.sock"
tb_until 8 tb_nholders_is 2 "$VIP" ||
	tb_fail "1: a and b are not both masters"
# The kernel's capture filter drops them (doc/protocol.md, "Kernel
# filter"): b counts them there, and carpd itself never sees one.
st=$(tm_ctl b status --json)
grep -Eq '"kernel_filtered":[1-9]' <<<"$st" ||
	tb_fail "1: b's kernel filter did not drop a's routed adverts: $st"
grep -q '"ttl":0,' <<<"$st" || tb_fail "1: b's carpd saw a's routed adverts: $st"
tb_loggrep a "neighbours: 198\.51\.100\.2 via 192\.0\.2\.254 is at $rmac" ||
	tb_fail "1: a did not send through the router's MAC"
tb_crash a
tb_crash b

# 2.
tb_carpd a "${common[@]}" -k 0 -P --peer=198.51.100.2 --peer-routed \
    -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${common[@]}" -k 100 --peer=192.0.2.1 --peer-routed \
    -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_settled "$VIP" a 8 || tb_fail "2: a is not the only master"
tb_holds 2 tb_only_holder "$VIP" a || tb_fail "2: a did not stay the only master"

# 3.
nb=$(tb_count b 'BACKUP -> MASTER \(master-down\)')
tb_crash a
tb_wait_settled "$VIP" b 10.2 || tb_fail "3: b did not take over"
[ "$(tb_count b 'BACKUP -> MASTER \(master-down\)')" -gt "$nb" ] ||
	tb_fail "3: b: no master-down"
tb_alive b || tb_fail "b died"
tb_pass "routed peers: through $rmac"
