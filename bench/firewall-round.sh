# shellcheck shell=bash
# One round of bench/firewall (sourced by "bench/firewall --one", after
# tests/netns/lib.sh, lib_multi.sh and lib_fw.sh): fb_round KIND DAEMON N
# builds the bed, measures, and prints one record on stdout:
#   kind daemon round in_s out_s both_s takeover_s stall_s status

FB_STREAM=$top/tests/netns/tools/tcp_stream.py
FB_PORT=5001

fb_rec() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$FB_KIND" "$FB_DAEMON" \
	    "$FB_ROUND" "$@"
}

# fb_bad STATUS: a record without figures; the round's logs are kept.
fb_bad() {
	fb_rec - - - - - "$1"
	TB_KEEP=1
	exit 0
}

# fb_monitor HOST WHAT: ip -ts monitor WHAT in HOST, to $TB_DIR/HOST.WHAT
fb_monitor() {
	"$TB_IP" -n "${TB_NS[$1]}" -ts monitor "$2" >"$TB_DIR/$1.$2" 2>&1 &
	TB_ALLPIDS+=("$!")
}

# fb_ts FILE ERE: the time (epoch seconds) of the first event line of
# FILE matching ERE that is not a deletion; nothing if there is none.
fb_ts() {
	local s
	s=$(grep -E -- "$2" "$1" | grep -v '\] Deleted ' | head -n 1 |
	    sed -n 's/^\[\([^]]*\)\].*/\1/p')
	[ -n "$s" ] || return 0
	"$PY" -c 'import datetime, sys
print("%.6f" % datetime.datetime.strptime(sys.argv[1],
      "%Y-%m-%dT%H:%M:%S.%f").timestamp())' "$s"
}

fb_diff() {
	if [ -n "$1" ] && [ -n "$2" ]; then
		tb_elapsed "$1" "$2"
	else
		echo -
	fi
}

fb_both_on_fw2() {
	tm_has fw2 eth0 "$FW_IN" && tm_has fw2 eth1 "$FW_OUT"
}

# fb_ka_conf HOST PRIO: keepalived.conf of HOST; with FB_SYNC, the sync
# group's notify scripts run the conntrackd examples.
fb_ka_conf() {
	local h=$1 prio=$2 notify=
	if [ -n "${FB_SYNC:-}" ]; then
		fb_ka_notify "$h"
		notify="notify_master $TB_DIR/$h.ka-master
	notify_backup $TB_DIR/$h.ka-backup"
	fi
	cat >"$TB_DIR/$h.ka.conf" <<-EOF
	global_defs {
		router_id $h
		vrrp_version 3
		script_user root
	}
	vrrp_sync_group FW {
		group {
			IN
			OUT
		}
		$notify
	}
	vrrp_instance IN {
		state BACKUP
		interface eth0
		virtual_router_id 1
		priority $prio
		advert_int 1
		track_interface {
			eth0
			eth1
		}
		virtual_ipaddress {
			$FW_IN/24 dev eth0
		}
	}
	vrrp_instance OUT {
		state BACKUP
		interface eth1
		virtual_router_id 2
		priority $prio
		advert_int 1
		track_interface {
			eth0
			eth1
		}
		virtual_ipaddress {
			$FW_OUT/24 dev eth1
		}
	}
	EOF
}

# The examples/conntrackd-*.sh steps, from keepalived's notify: it adds
# and removes the addresses itself.
fb_ka_notify() {
	local h=$1 ev script state
	for ev in master backup; do
		[ "$ev" = master ] && script=conntrackd-up.sh state=MASTER
		[ "$ev" = backup ] && script=conntrackd-down.sh state=BACKUP
		cat >"$TB_DIR/$h.ka-$ev" <<-EOF
		#!/bin/sh
		export VIP_UP=/bin/true VIP_DOWN=/bin/true CARP_VHID=1 \\
		    CARP_STATE=$state CONNTRACKD_CONF=$TB_DIR/$h.ctd.conf
		exec $TB_DIR/ex/$script eth0 $FW_IN
		EOF
		chmod 755 "$TB_DIR/$h.ka-$ev"
	done
}

fb_ka_start() {
	local h=$1
	tb_daemon "$h" "$KEEPALIVED" -n -l -D -P -R -f "$TB_DIR/$h.ka.conf" \
	    -p "$TB_DIR/$h.ka.pid" -r "$TB_DIR/$h.ka.vrrp.pid"
}

fb_carpd_start() {
	local h=$1
	tb_daemon "$h" env CONNTRACKD_CONF="$TB_DIR/$h.ctd.conf" \
	    VIP_UP="$TB_DIR/ex/vip-up.sh" VIP_DOWN="$TB_DIR/ex/vip-down.sh" \
	    "$CARPD" -c "$TB_DIR/$h.conf"
}

# fb_pair: the two daemons, fw1 the master of both, fw2 waiting.
fb_pair() {
	if [ "$FB_DAEMON" = carpd ]; then
		fw_conf fw1 0 "sync-group fw"
		fw_conf fw2 100 "sync-group fw"
		fb_carpd_start fw1
		fw_wait fw1 10 || fb_bad fw1-not-master
		fb_carpd_start fw2
		tm_wait_ctl fw2 10 || fb_bad fw2-no-socket
		tm_wait_state fw2 1 eth0 BACKUP 10 || fb_bad fw2-not-backup
		tm_wait_state fw2 2 eth1 BACKUP 10 || fb_bad fw2-not-backup
	else
		fb_ka_conf fw1 254
		fb_ka_conf fw2 156
		fb_ka_start fw1
		# keepalived starts as backup: master after its master-down
		fw_wait fw1 10 || fb_bad fw1-not-master
		fb_ka_start fw2
		tb_wait_log fw2 '\(OUT\) Entering BACKUP STATE' 10 ||
		    fb_bad fw2-not-backup
	fi
	# a few adverts, at a random phase of the advert interval
	sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.3f", 1.5 + r / 32768 }')"
	fw_holds fw1 || fb_bad fw1-lost-an-address
}

fb_cut() {
	local t_link t_in t_out both
	fb_pair
	fb_monitor fw1 link
	fb_monitor fw2 address
	sleep 0.3
	tm_partition2 fw1 eth1
	tb_until 15 fb_both_on_fw2 || fb_bad no-takeover
	sleep 0.2
	t_link=$(fb_ts "$TB_DIR/fw1.link" ': eth1@[^:]*: <NO-CARRIER')
	t_in=$(fb_ts "$TB_DIR/fw2.address" " eth0 +inet $FW_IN/")
	t_out=$(fb_ts "$TB_DIR/fw2.address" " eth1 +inet $FW_OUT/")
	[ -n "$t_link" ] || fb_bad no-carrier-event
	if [ -z "$t_in" ] || [ -z "$t_out" ]; then
		fb_bad no-address-event
	fi
	both=$t_in
	tb_lt "$t_in" "$t_out" && both=$t_out
	fb_rec "$(fb_diff "$t_link" "$t_in")" "$(fb_diff "$t_link" "$t_out")" \
	    "$(fb_diff "$t_link" "$both")" - - ok
}

fb_stall() {
	local f t_crash t_in t_out both b st
	FB_SYNC=1
	fw_synclink
	fw_strict
	mkdir -p "$TB_DIR/ex"
	for f in vip-up.sh vip-down.sh conntrackd-up.sh conntrackd-down.sh; do
		install -m 755 "$top/examples/$f" "$TB_DIR/ex/$f" || exit 99
	done
	FW_UP=$TB_DIR/ex/conntrackd-up.sh FW_DOWN=$TB_DIR/ex/conntrackd-down.sh
	fw_ct_start fw1
	fw_ct_start fw2
	fb_pair
	tb_daemon server "$PY" "$FB_STREAM" recv "$FB_PORT" "$TB_DIR/recv.state"
	tb_until 5 test -s "$TB_DIR/recv.state" || fb_bad no-receiver
	sleep 0.3
	tb_daemon client "$PY" "$FB_STREAM" send "$FW_SERVER" "$FB_PORT" \
	    "$TB_DIR/send.state"
	tb_until 10 fw_stream_bytes_over 50000 || fb_bad no-data
	tb_until 10 eval "fw_ct fw2 -e 2>/dev/null | grep -q 'dport=$FB_PORT'" ||
	    fb_bad not-synced
	sleep 1.5
	fb_monitor fw2 address
	sleep 0.3
	t_crash=$EPOCHREALTIME
	fw_freeze fw1
	tb_until 15 fb_both_on_fw2 || fb_bad no-takeover
	b=$(fw_stream_field "$TB_DIR/recv.state" bytes)
	st=ok
	tb_until 30 fw_stream_bytes_over $((b + 50000)) || st=no-flow
	fw_stream_ended && st=reset
	t_in=$(fb_ts "$TB_DIR/fw2.address" " eth0 +inet $FW_IN/")
	t_out=$(fb_ts "$TB_DIR/fw2.address" " eth1 +inet $FW_OUT/")
	both=$t_in
	[ -n "$t_in" ] && [ -n "$t_out" ] && tb_lt "$t_in" "$t_out" && both=$t_out
	[ "$st" = ok ] || TB_KEEP=1
	fb_rec - - - "$(fb_diff "$t_crash" "$both")" \
	    "$(fw_stream_field "$TB_DIR/recv.state" max_gap)" "$st"
}

fb_round() {
	FB_KIND=$1 FB_DAEMON=$2 FB_ROUND=$3
	tb_init
	fw_bed
	case $FB_KIND in
	cut) fb_cut ;;
	stall) fb_stall ;;
	esac
}
