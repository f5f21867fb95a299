#!/usr/bin/env bash
# mac virtual: the master answers ARP for the VIP with 00:00:5e:00:01:07
# from a macvlan device the root parent made; a client that accepts no
# gratuitous ARP (arp_accept 0, and nftables dropping them) keeps that
# entry across a crash takeover and its pings go on after the backup's
# master-down interval.  The crashed host's leftover device is replaced
# at its next start; a clean exit removes the device.  A device of that
# name that is not carpd's macvlan is left alone.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

VIP=192.0.2.100
VMAC=00:00:5e:00:01:07
tb_init
command -v nft >/dev/null || { echo "${0##*/}: SKIP: no nft" >&2; exit 77; }
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_host c 192.0.2.50/24
tb_scripts
pass=$(tb_passfile group "vmac $$")
nsx() { local h=$1; shift; "$TB_IP" netns exec "${TB_NS[$h]}" "$@"; }

# The client: no gratuitous ARP gets in (sender address = target = VIP).
nsx c sysctl -qw net.ipv4.conf.all.arp_accept=0 net.ipv4.conf.eth0.arp_accept=0
nsx c nft -f - <<NFT || tb_fail "nft"
table arp garp {
	chain in {
		type filter hook input priority 0;
		arp saddr ip $VIP arp daddr ip $VIP counter drop
	}
}
NFT

dev_of() {	# the device carpd names after eth0's index and the vhid
	echo "carp$(nsx "$1" cat /sys/class/net/eth0/ifindex).7"
}
dev_up() { nsx "$1" ip -o link show dev "$(dev_of "$1")" | grep -q '[<,]UP[,>]'; }
dev_has() { nsx "$1" ip -4 -o addr show dev "$(dev_of "$1")" | grep -q " inet $VIP/"; }
neigh() { nsx c ip neigh show "$VIP" | awk '{ print $5 }'; }

common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1 --mac virtual)
tb_carpd a "${common[@]}" -k 0 -P -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_log a 'vhid 7 on eth0: BACKUP -> MASTER' 8 || tb_fail "a not master"
tb_until 3 dev_has a || tb_fail "a: the VIP is not on $(dev_of a)"
dev_up a || tb_fail "a: $(dev_of a) is not up"
tb_wait_event " b down $(dev_of b) $VIP " 3 || tb_fail "b: no down script on $(dev_of b)"
dev_up b && tb_fail "b: $(dev_of b) is up as backup"
[ "$(nsx a cat "/sys/class/net/$(dev_of a)/address")" = "$VMAC" ] ||
	tb_fail "a: $(dev_of a) has not $VMAC"

nsx c ping -c 2 -W 2 "$VIP" >/dev/null || tb_fail "no ping through a"
[ "$(neigh)" = "$VMAC" ] || tb_fail "the client's entry is $(neigh), not $VMAC"

# Pings every 0.1 s from here on; the crash; b takes over.
nsx c ping -D -O -i 0.1 -w 25 "$VIP" >"$TB_DIR/ping.log" 2>&1 &
TB_ALLPIDS+=("$!")
sleep 1
idx_before=$(nsx a cat "/sys/class/net/$(dev_of a)/ifindex")
[ -n "$idx_before" ] || tb_fail "a: no $(dev_of a)"
t_crash=$(date +%s.%N)
tb_crash a
nsx a ip addr flush dev "$(dev_of a)"	# the VIP dies with the host
tb_wait_log b 'vhid 7 on eth0: BACKUP -> MASTER \(master-down\)' 10.2 ||
	tb_fail "b did not take over"
tb_until 3 dev_has b || tb_fail "b: the VIP is not on $(dev_of b)"
answered_after() {	# pings answered 4.5 s or more after the crash
	awk -v t="$t_crash" -F'[][]' '/bytes from/ && $2 > t + 4.5' \
	    "$TB_DIR/ping.log" | wc -l
}
five_after() { [ "$(answered_after)" -ge 5 ]; }
# Five answers, within 10 s (a loaded machine delays the pings).
tb_until 10 five_after || true
n_after=$(answered_after)
[ "$n_after" -ge 5 ] || tb_fail "$n_after pings answered after b's takeover"
[ "$(neigh)" = "$VMAC" ] || tb_fail "after the takeover the client's entry is $(neigh)"
drops=$(nsx c nft list table arp garp | grep -o 'packets [0-9]*' | awk '{ print $2 }')
[ "${drops:-0}" -gt 0 ] || tb_fail "the client saw no gratuitous ARP to drop"

# a comes back: its crash's device is replaced; with preempt it is master.
n_master=$(tb_count a 'BACKUP -> MASTER')
more_master() { [ "$(tb_count a 'BACKUP -> MASTER')" -gt "$n_master" ]; }
tb_carpd a "${common[@]}" -k 0 -P -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_until 10 more_master || tb_fail "a not master again"
idx_after=$(nsx a cat "/sys/class/net/$(dev_of a)/ifindex")
[ -n "$idx_after" ] || tb_fail "a: no $(dev_of a) after the restart"
[ "$idx_before" != "$idx_after" ] || tb_fail "a kept the crashed run's device"
tb_until 3 dev_has a || tb_fail "a: the VIP is not back on $(dev_of a)"
tb_until 5 sh -c "! $TB_IP netns exec ${TB_NS[b]} ip -o link show dev $(dev_of b) | grep -q '[<,]UP[,>]'" ||
	tb_fail "b: $(dev_of b) still up as backup"
nsx c ping -c 2 -W 2 "$VIP" >/dev/null || tb_fail "no ping through a again"
[ "$(neigh)" = "$VMAC" ] || tb_fail "the client's entry became $(neigh)"

# A clean exit removes the devices.
tb_signal a TERM
tb_signal b TERM
tb_wait_exit a 10 || tb_fail "a did not exit"
tb_wait_exit b 10 || tb_fail "b did not exit"
nsx a test -e "/sys/class/net/$(dev_of a)" && tb_fail "a left $(dev_of a)"
nsx b test -e "/sys/class/net/$(dev_of b)" && tb_fail "b left $(dev_of b)"
# A device of carpd's name that carpd did not make (a macvlan of the
# administrator's, its own MAC): refused and left alone, at start and at
# exit.
nsx a ip link add "$(dev_of a)" link eth0 address 02:00:00:00:00:07 \
    type macvlan || tb_fail "no foreign macvlan"
tb_carpd a "${common[@]}" -k 0 -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_wait_log a "$(dev_of a) is not carpd's .*leaving it alone" 5 ||
	tb_fail "a: the foreign $(dev_of a) was not refused"
tb_signal a TERM
tb_wait_exit a 10 || tb_fail "a did not exit (foreign device)"
[ "$(nsx a cat "/sys/class/net/$(dev_of a)/address")" = 02:00:00:00:00:07 ] ||
	tb_fail "a: the foreign $(dev_of a) was removed or replaced"
tb_pass "ARP entry $VMAC kept; $n_after pings answered after the takeover; $drops gratuitous ARPs dropped at the client"
