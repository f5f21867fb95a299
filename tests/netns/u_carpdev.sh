#!/usr/bin/env bash
# carpdev: a and b have no IPv4 address on eth0; they share 192.0.2.100,
# the master sending its adverts from it.
#  0. (With peers a vhid needs an address of its own: it waits in INIT.)
#  1. a (advskew 0) becomes master; the adverts on the wire come from
#     the virtual address; client c pings it.
#  2. a crashes: b takes over, c's pings go on (to b's MAC).
#  3. a tie: a and b with the same interval, both masters during a
#     partition, both sending from the virtual address; at the heal the
#     one with the higher MAC address (b) steps down.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

VIP=192.0.2.100
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_host c 192.0.2.50/24
tb_scripts
pass=$(tb_passfile group "carpdev $$")
for h in a b; do
	ip -n "${TB_NS[$h]}" addr flush dev eth0
done
ip -n "${TB_NS[a]}" link set eth0 address 02:00:00:00:00:0a
ip -n "${TB_NS[b]}" link set eth0 address 02:00:00:00:00:0b
# shellcheck disable=SC2317 # called through tb_until
ping_vip() {
	ip netns exec "${TB_NS[c]}" ping -n -q -c 1 -W 1 "$VIP" >/dev/null 2>&1
}
vip_mac() {
	ip -n "${TB_NS[c]}" neigh show "$VIP" | awk '{ print $5 }'
}

common=(-i eth0 -v 9 -o "$pass" -a "$VIP/24" -b 1)
# 0. With peers, an address of its own is needed: the vhid waits.
tb_carpd a "${common[@]}" --peer=192.0.2.50
tb_wait_log a 'eth0: no IPv4 address; vhid 9 has peers, which send to this host.s own address: it waits for one' 5 ||
	tb_fail "0: a vhid with peers did not wait for an address"
tb_loggrep a ' -> ' && tb_fail "0: the vhid with peers changed state"
tb_crash a

tb_capture || tb_fail "no capture"
tb_carpd a "${common[@]}" -k 0 -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"

# 1.
tb_wait_log a 'vhid 9 on eth0: source 192\.0\.2\.100 \(virtual: the interface has no IPv4 address\)' 3 ||
	tb_fail "1: a did not start as carpdev"
tb_wait_settled "$VIP" a 8 || tb_fail "1: a did not become the only master"
tb_until 3 ping_vip || tb_fail "1: c cannot ping $VIP"
tb_holds 1.5 tb_only_holder "$VIP" a || tb_fail "1: a did not stay master"
tb_loggrep b ' -> MASTER' && tb_fail "1: b became master"
tb_capture_stop
n=$(tb_adverts | grep -c '192\.0\.2\.100 > 224\.0\.0\.18: .*vhid=9 advbase=1 advskew=0 ')
other=$(tb_adverts | grep -vc '192\.0\.2\.100 > 224\.0\.0\.18')
if [ "$n" -lt 1 ] || [ "$other" -ne 0 ]; then
	tb_fail "1: $n adverts from the VIP, $other others"
fi

# 2. Crash: b takes over; c goes on reaching the address.
tb_crash a
tb_wait_settled "$VIP" b 10.2 || tb_fail "2: b did not take over"
tb_wait_log b 'BACKUP -> MASTER \(master-down\)' 2 || tb_fail "2: b: no master-down"
tb_until 3 ping_vip || tb_fail "2: c cannot ping $VIP after the takeover"
[ "$(vip_mac)" = 02:00:00:00:00:0b ] || tb_fail "2: c has $VIP at $(vip_mac)"

# 3. Equal intervals: both masters while a is cut off; the heal leaves a.
tb_carpd a "${common[@]}" -k 100 -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_wait_log a 'INIT -> BACKUP' 3 || tb_fail "3: a did not start"
tb_holds 1 tb_only_holder "$VIP" b || tb_fail "3: b did not stay master"
nb=$(tb_count b 'MASTER -> BACKUP \(preferred-master\)')
na=$(tb_count a 'BACKUP -> MASTER \(master-down\)')
ip netns exec "$TB_SW" bridge link set dev "${TB_PORT[a]}" state 0
tb_until 8 tm_log_more a 'BACKUP -> MASTER \(master-down\)' "$na" ||
	tb_fail "3: a did not take over during the partition"
ip netns exec "$TB_SW" bridge link set dev "${TB_PORT[a]}" state 3
tb_until 5 tm_log_more b 'MASTER -> BACKUP \(preferred-master\)' "$nb" ||
	tb_fail "3: b (higher MAC) did not step down"
tb_wait_settled "$VIP" a 3 || tb_fail "3: a is not the only master"
tb_holds 2 tb_only_holder "$VIP" a || tb_fail "3: a did not stay the only master"
[ "$(tb_count a 'MASTER -> BACKUP')" -eq 0 ] || tb_fail "3: a stepped down too"
tb_until 3 ping_vip || tb_fail "3: c cannot ping $VIP"
for h in a b; do tb_alive "$h" || tb_fail "$h died"; done
tb_signal b TERM
tb_wait_exit b 5 || tb_fail "b did not exit"
[ "$TB_RC" -eq 0 ] || tb_fail "b exited with $TB_RC"
tb_pass "carpdev: $n adverts from the VIP; crash and tie resolved"
