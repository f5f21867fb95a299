#!/bin/sh
# carpd down script: this host is (or starts as) a backup, or is leaving
# the group, so give up the virtual address.  carpd runs it as
#
#	vip-down.sh <interface> <vip> [<xparam>]
#
# once per virtual address, at start (unless --neutral), on becoming
# backup and on exit as master (always with --shutdown), with
# CARP_VHID, CARP_STATE, CARP_REASON and the other variables described
# in carpd(8) in the environment.
#
# The prefix length of the address: CARP_PREFIX, which carpd sets when
# the address is given as ADDR/LEN (--addr 192.0.2.100/24), else 24 for
# IPv4 (CARP_FAMILY inet) and 64 for IPv6 (inet6).  It must match the
# one vip-up.sh used.
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 interface vip [xparam]" >&2
	exit 2
fi
ifname=$1
vip=$2
case ${CARP_FAMILY:-inet} in
inet6)	prefix=${CARP_PREFIX:-64}; family=-6 ;;
*)	prefix=${CARP_PREFIX:-24}; family=-4 ;;
esac

if ip "$family" addr del "$vip/$prefix" dev "$ifname" 2>/dev/null; then
	logger -t carpd-vip -p daemon.notice \
	    "vhid ${CARP_VHID:-?}: removed $vip/$prefix from $ifname (${CARP_REASON:-?})" || :
fi
# Not holding the address (the usual case at start) is fine.
exit 0
