#!/bin/sh
# carpd up and down script for a cloud network, where multicast does not
# pass (so the group uses --peer) and where adding the address to the
# interface is not enough: the provider must be told to route it to this
# instance.  Use it for both scripts:
#
#	carpd -i eth0 -v 1 -o /etc/carpd/carpd.pass -a 192.0.2.100/24 \
#	      --peer=192.0.2.2 -x i-0123456789 \
#	      -u /etc/carpd/vip-cloud.sh -d /etc/carpd/vip-cloud.sh
#
# carpd runs it as "vip-cloud.sh <interface> <vip> [<xparam>]" with
# CARP_STATE MASTER (up) or BACKUP/INIT (down); here xparam names this
# instance at the provider.
#
# The provider's call is a placeholder: cloud_assign and cloud_release
# below show the shape with curl against a REST endpoint
# ($CLOUD_API_URL, a token in /etc/carpd/cloud.token).  Replace them with
# your provider's command line tool or API.  Without CLOUD_API_URL they
# only log what they would do, so the script runs anywhere.
#
# Keep each call bounded (--max-time): carpd kills a script that runs
# past --script-timeout (30 s), and the scripts of one group run one at
# a time, so a hanging call would delay the next transition's script.
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 interface vip [instance]" >&2
	exit 2
fi
ifname=$1
vip=$2
instance=${3:-}
prefix=${CARP_PREFIX:-24}
state=${CARP_STATE:-}
api=${CLOUD_API_URL:-}
token_file=${CLOUD_TOKEN_FILE:-/etc/carpd/cloud.token}

log() {
	logger -t carpd-cloud -p "daemon.$1" \
	    "vhid ${CARP_VHID:-?}: $2" 2>/dev/null || echo "carpd-cloud: $2" >&2
}

# call METHOD PATH: one bounded request to the provider, retried twice.
call() {
	if [ -z "$api" ]; then
		log notice "(no CLOUD_API_URL) would $1 $api$2"
		return 0
	fi
	for try in 1 2 3; do
		curl -fsS --max-time 8 -X "$1" \
		    -H "Authorization: Bearer $(cat "$token_file")" \
		    "$api$2" >/dev/null && return 0
		log warning "$1 $2 failed (try $try)"
		sleep 1
	done
	return 1
}

cloud_assign() {
	call PUT "/addresses/$vip/target/$instance"
}

cloud_release() {
	# Often not needed: the next master's assign moves the address.
	call DELETE "/addresses/$vip/target/$instance"
}

case $state in
MASTER)
	ip addr add "$vip/$prefix" dev "$ifname" 2>/dev/null ||
	    ip -o addr show dev "$ifname" | grep -qF " $vip/" || {
		log err "cannot add $vip/$prefix to $ifname"
		exit 1
	}
	if ! cloud_assign; then
		log err "the provider did not move $vip to $instance"
		exit 1
	fi
	log notice "$vip is here (${CARP_REASON:-?})"
	;;
*)
	ip addr del "$vip/$prefix" dev "$ifname" 2>/dev/null || :
	cloud_release || log warning "the provider kept $vip on $instance"
	log notice "$vip released (${CARP_REASON:-?})"
	;;
esac
exit 0
