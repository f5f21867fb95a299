#!/bin/sh
# carpd up script for a firewall pair with connection-state sync
# (conntrackd, Debian's conntrackd package, in its FTFW mode): this host
# has become the master, so take the address as vip-up.sh does, then make
# conntrackd's copy of the other firewall's connections the kernel's
# own.  The steps are those of conntrackd's primary-backup.sh:
#
#	conntrackd -c	commit the external cache (the peer's connections)
#			into the kernel's connection table
#	conntrackd -f	flush the internal and external caches (here in
#			two steps, -f internal and -f external: after a
#			commit, conntrackd 1.4.7, Debian 12's, refuses to
#			flush the external cache, "commit still in
#			progress", and a plain -f then flushes neither)
#	conntrackd -R	resynchronize the internal cache with the kernel
#	conntrackd -B	send a bulk update to the other firewall
#
# carpd runs it once per address of every vhid that becomes master; the
# sync is done once, for the vhid CONNTRACKD_VHID (default 1: give all
# of the firewall's vhids one demote-group and one sync-group so
# that they move together).
# conntrackd must run with its external cache (DisableExternalCache off,
# its default): the peer's connections wait there for the commit.
# CONNTRACKD_CONF names its configuration (default conntrackd's own,
# /etc/conntrackd/conntrackd.conf); carpd passes its environment on.
# Install it root's, mode 755, next to vip-up.sh in /etc/carpd (or say
# where that is in VIP_UP, in carpd's environment):
#
#	vhid 1 { ...; upscript /etc/carpd/conntrackd-up.sh
#	         downscript /etc/carpd/conntrackd-down.sh }
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 interface vip [xparam]" >&2
	exit 2
fi
# carpd runs a script through a file descriptor ($0 is /dev/fd/N), so
# vip-up.sh is not found beside $0: VIP_UP names it.
"${VIP_UP:-/etc/carpd/vip-up.sh}" "$@" || exit $?
[ "${CARP_VHID:-}" = "${CONNTRACKD_VHID:-1}" ] || exit 0
conntrackd=${CONNTRACKD:-/usr/sbin/conntrackd}
conf=${CONNTRACKD_CONF:-/etc/conntrackd/conntrackd.conf}
for step in -c "-f internal" "-f external" -R -B; do
	# shellcheck disable=SC2086 # $step: an option and its argument
	if ! "$conntrackd" -C "$conf" $step; then
		logger -t carpd-conntrackd -p daemon.err \
		    "vhid $CARP_VHID: conntrackd $step failed" || :
	fi
done
logger -t carpd-conntrackd -p daemon.notice \
    "vhid $CARP_VHID: master, connection table committed (${CARP_REASON:-?})" || :
exit 0
