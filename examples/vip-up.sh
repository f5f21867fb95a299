#!/bin/sh
# carpd up script: this host has become the master of the group, so take
# the virtual address.  carpd runs it as
#
#	vip-up.sh <interface> <vip> [<xparam>]
#
# once per virtual address, with CARP_VHID, CARP_STATE, CARP_REASON and
# the other variables described in carpd(8) in the environment.  carpd
# sends the gratuitous ARP for the address itself: nothing else to do.
#
# The prefix length of the address: CARP_PREFIX, which carpd sets when
# the address is given as ADDR/LEN (--addr 192.0.2.100/24), else 24 for
# IPv4 and 64 for IPv6.  CARP_FAMILY says which (inet or inet6); an IPv6
# address is added with nodad: duplicate address detection would leave
# it unusable for about a second after the takeover, and carpd sends the
# unsolicited neighbour advertisement itself.
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 interface vip [xparam]" >&2
	exit 2
fi
ifname=$1
vip=$2
case ${CARP_FAMILY:-inet} in
inet6)	prefix=${CARP_PREFIX:-64}; family=-6; nodad=nodad ;;
*)	prefix=${CARP_PREFIX:-24}; family=-4; nodad= ;;
esac

# shellcheck disable=SC2086 # $nodad: a word or nothing
if ip "$family" addr add "$vip/$prefix" dev "$ifname" $nodad 2>/dev/null; then
	logger -t carpd-vip -p daemon.notice \
	    "vhid ${CARP_VHID:-?}: added $vip/$prefix to $ifname (${CARP_REASON:-?})" || :
elif ip "$family" -o addr show dev "$ifname" | grep -qF " $vip/"; then
	# Already there (a restart while master): not an error.
	logger -t carpd-vip -p daemon.notice \
	    "vhid ${CARP_VHID:-?}: $vip already on $ifname" || :
else
	logger -t carpd-vip -p daemon.err \
	    "vhid ${CARP_VHID:-?}: cannot add $vip/$prefix to $ifname" || :
	exit 1
fi
exit 0
