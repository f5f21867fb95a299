#!/bin/sh
# carpd down script for a firewall pair with conntrackd (see
# conntrackd-up.sh): give the address up as vip-down.sh does, then, as
# the backup, do what conntrackd's primary-backup.sh does for "backup":
#
#	conntrackd -t	flush the kernel's connection table in PurgeTimeout
#			seconds (the entries of a former master are zombies:
#			the new master owns them now)
#	conntrackd -n	ask the master for a full resync of its connections
#			into the external cache, to take over with them later
#
# Once, for the vhid CONNTRACKD_VHID (default 1); CONNTRACKD_CONF as for
# conntrackd-up.sh, VIP_DOWN names vip-down.sh (default in /etc/carpd).
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 interface vip [xparam]" >&2
	exit 2
fi
# carpd runs a script through a file descriptor ($0 is /dev/fd/N), so
# vip-down.sh is not found beside $0: VIP_DOWN names it.
"${VIP_DOWN:-/etc/carpd/vip-down.sh}" "$@" || exit $?
[ "${CARP_VHID:-}" = "${CONNTRACKD_VHID:-1}" ] || exit 0
[ "${CARP_STATE:-}" = BACKUP ] || exit 0	# INIT: leaving; nothing to ask
conntrackd=${CONNTRACKD:-/usr/sbin/conntrackd}
conf=${CONNTRACKD_CONF:-/etc/conntrackd/conntrackd.conf}
for step in -t -n; do
	if ! "$conntrackd" -C "$conf" "$step"; then
		logger -t carpd-conntrackd -p daemon.err \
		    "vhid $CARP_VHID: conntrackd $step failed" || :
	fi
done
exit 0
