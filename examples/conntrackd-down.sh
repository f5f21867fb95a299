#!/bin/sh
# carpd down script for a firewall pair with conntrackd (see
# conntrackd-up.sh): give the address up as vip-down.sh does, then, as
# the backup, ask the new master for a full resync of its connections
# (conntrackd -n), so that this host can take over with them later.
# Once, for the vhid CONNTRACKD_VHID (default 1).
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 interface vip [xparam]" >&2
	exit 2
fi
dir=$(dirname "$0")
"$dir/vip-down.sh" "$@" || exit $?
[ "${CARP_VHID:-}" = "${CONNTRACKD_VHID:-1}" ] || exit 0
[ "${CARP_STATE:-}" = BACKUP ] || exit 0	# INIT: leaving; nothing to ask
conntrackd=${CONNTRACKD:-/usr/sbin/conntrackd}
if ! "$conntrackd" -n; then
	logger -t carpd-conntrackd -p daemon.err \
	    "vhid $CARP_VHID: conntrackd -n failed" || :
fi
exit 0
