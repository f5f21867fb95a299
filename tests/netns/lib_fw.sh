# shellcheck shell=bash
# The firewall bed for tests/netns/w_*.sh: two firewalls, each with an
# inside (eth0, switch br0) and an outside (eth1, switch br1) interface,
# a client inside and a server outside.  The client's default gateway
# is the inside virtual address (vhid 1), the firewalls forward and SNAT
# to the outside virtual address (vhid 2) with nftables, so a client's
# packets get through only when one firewall holds both addresses: the
# reply to the outside address comes back to whoever holds it, and only
# the firewall that made the translation knows where it goes.
# Sourced after lib.sh and lib_multi.sh.
#
#   fw_bed                     the bed, scripts, passfile $FW_PASS
#   fw_conf HOST SKEW [EXTRA]  HOST's carpd.conf: vhids 1 and 2 in group
#                              fw, preempt, advskew SKEW; EXTRA lines go
#                              into both vhid blocks
#   fw_holds HOST              HOST holds both addresses, the other none
#   fw_wait HOST T             fw_holds within T s
#   fw_reach                   the client gets a ping through to the server
#   fw_wait_reach T            fw_reach within T s
#   fw_synclink                a third switch, br2, and eth2 on fw1 and fw2
#                              (203.0.113.1, .2): the dedicated sync link
#   fw_strict                  stateful firewalls: packets without a
#                              connection of their own (ct state invalid)
#                              are dropped, and nf_conntrack_tcp_loose=0
#                              makes a mid-stream TCP packet invalid
#   fw_ct_start HOST           conntrackd in HOST (FTFW over eth2, UDP,
#                              external cache), its own configuration
#                              $TB_DIR/HOST.ctd.conf, lock file, socket, log
#   fw_ct HOST ARGS...         conntrackd -C HOST's configuration ARGS...
#   fw_stream_field FILE KEY   a field of a tcp_stream.py state line
#   fw_stream_bytes_over N     the receiver ($TB_DIR/recv.state) has more
#                              than N bytes
#   fw_stream_ended            the stream was reset, failed or closed
#                              ($TB_DIR/recv.state, send.state)
#   fw_freeze HOST             HOST's every process stopped, then killed
#                              (carpd, conntrackd, scripts: at once), its
#                              VIPs gone, and its switch ports stop
#                              forwarding: its kernel is as dead as its
#                              daemons
#
# FW_UP / FW_DOWN, if set, are the up and down scripts fw_conf writes
# (default the logging $TB_DIR/HOST.up and .down of tb_scripts).

FW_IN=192.0.2.254
FW_OUT=198.51.100.254
FW_SERVER=198.51.100.10
FW_NFT=${FW_NFT:-/usr/sbin/nft}
FW_CTD=${FW_CTD:-/usr/sbin/conntrackd}
declare -A FW_CTPID=()
# conntrackd -t (a backup's down script) flushes the kernel's table after
# this many seconds unless a commit cancels it: short, so that a test
# sees it.
FW_CT_PURGE=${FW_CT_PURGE:-10}

fw_bed() {
	local h
	[ -x "$FW_NFT" ] || { echo "${0##*/}: SKIP: no nft (Debian nftables)" >&2; exit 77; }
	tb_switch
	tm_switch2
	tb_host fw1 192.0.2.1/24
	tb_host fw2 192.0.2.2/24
	tb_host client 192.0.2.100/24
	tb_host server "$FW_SERVER/24"
	# The server's port belongs to the outside switch.
	"$TB_IP" -n "$TB_SW" link set "${TB_PORT[server]}" nomaster
	"$TB_IP" -n "$TB_SW" link set "${TB_PORT[server]}" master br1 up
	tm_iface fw1 eth1 198.51.100.1/24
	tm_iface fw2 eth1 198.51.100.2/24
	"$TB_IP" -n "${TB_NS[client]}" route add default via "$FW_IN" || exit 99
	for h in fw1 fw2; do
		"$TB_IP" netns exec "${TB_NS[$h]}" sysctl -qw \
		    net.ipv4.ip_forward=1 || exit 99
		"$TB_IP" netns exec "${TB_NS[$h]}" "$FW_NFT" -f - <<-EOF || exit 99
		table ip fw {
			chain post {
				type nat hook postrouting priority srcnat;
				oifname "eth1" snat to $FW_OUT
			}
		}
		EOF
	done
	tb_scripts
	FW_PASS=$(tb_passfile fw "firewall $$")
}

fw_conf() {
	local h=$1 skew=$2 extra=${3:-} v ifname addr
	{
		tm_globals "$h"
		for v in 1 2; do
			[ "$v" = 1 ] && ifname=eth0 addr=$FW_IN
			[ "$v" = 2 ] && ifname=eth1 addr=$FW_OUT
			cat <<-EOF
			vhid $v {
				interface $ifname
				addr $addr
				passfile $FW_PASS
				advskew $skew
				preempt
				demote-group fw
				upscript ${FW_UP:-$TB_DIR/$h.up}
				downscript ${FW_DOWN:-$TB_DIR/$h.down}
				$extra
			}
			EOF
		done
	} | tm_conf "$h"
}

fw_holds() {
	tm_only_holder eth0 "$FW_IN" "$1" && tm_only_holder eth1 "$FW_OUT" "$1"
}

fw_wait() {
	tb_until "$2" fw_holds "$1"
}

fw_reach() {
	"$TB_IP" netns exec "${TB_NS[client]}" ping -c 1 -W 1 -q "$FW_SERVER" \
	    >/dev/null 2>&1
}

fw_wait_reach() {
	tb_until "$1" fw_reach
}

fw_synclink() {
	local h i=0 port
	"$TB_IP" -n "$TB_SW" link add br2 type bridge mcast_snooping 0 \
	    forward_delay 0 || exit 99
	"$TB_IP" -n "$TB_SW" link set br2 up
	for h in fw1 fw2; do
		i=$((i + 1))
		port="s$$$h"
		"$TB_IP" -n "$TB_SW" link add "$port" type veth peer name eth2 \
		    netns "${TB_NS[$h]}" || exit 99
		"$TB_IP" -n "$TB_SW" link set "$port" master br2 up
		"$TB_IP" -n "${TB_NS[$h]}" addr add "203.0.113.$i/24" dev eth2 ||
		    exit 99
		"$TB_IP" -n "${TB_NS[$h]}" link set eth2 up
		TM_IFADDR[$h,eth2]=203.0.113.$i
		TM_IFPORT[$h,eth2]=$port
	done
}

fw_strict() {
	local h
	for h in fw1 fw2; do
		"$TB_IP" netns exec "${TB_NS[$h]}" "$FW_NFT" -f - <<-EOF || exit 99
		table ip filter {
			chain input {
				type filter hook input priority filter;
				ct state invalid drop
			}
			chain forward {
				type filter hook forward priority filter;
				ct state invalid drop
			}
		}
		EOF
		"$TB_IP" netns exec "${TB_NS[$h]}" sysctl -qw \
		    net.netfilter.nf_conntrack_tcp_loose=0 || exit 99
	done
}

# fw_ct_conf HOST: FTFW (reliable, acknowledged) over UDP on the sync
# link to the other firewall; the peer's connections go to the external
# cache until conntrackd -c commits them (what conntrackd-up.sh does).
# Only forwarded TCP is synced: the firewalls' own addresses are ignored.
fw_ct_conf() {
	local h=$1 me peer
	[ "$h" = fw1 ] && me=203.0.113.1 peer=203.0.113.2
	[ "$h" = fw2 ] && me=203.0.113.2 peer=203.0.113.1
	cat >"$TB_DIR/$h.ctd.conf" <<-EOF
	Sync {
		Mode FTFW {
			DisableExternalCache off
			PurgeTimeout $FW_CT_PURGE
		}
		UDP {
			IPv4_address $me
			IPv4_Destination_Address $peer
			Port 3780
			Interface eth2
			Checksum on
		}
	}
	General {
		Systemd off
		HashSize 8192
		HashLimit 65536
		LogFile $TB_DIR/$h.ctd.log
		Syslog off
		LockFile $TB_DIR/$h.ctd.lock
		UNIX {
			Path $TB_DIR/$h.ctd.sock
		}
		Scheduler {
			Type RR
			Priority 1
		}
		Filter From Userspace {
			Protocol Accept {
				TCP
			}
			Address Ignore {
				IPv4_address 127.0.0.1
				IPv4_address 192.0.2.1
				IPv4_address 192.0.2.2
				IPv4_address 198.51.100.1
				IPv4_address 198.51.100.2
				IPv4_address $FW_IN
				IPv4_address $FW_OUT
				IPv4_address 203.0.113.0/24
			}
		}
	}
	EOF
}

fw_ct() {
	local h=$1
	shift
	"$TB_IP" netns exec "${TB_NS[$h]}" "$FW_CTD" -C "$TB_DIR/$h.ctd.conf" "$@"
}

fw_ct_up() {
	fw_ct "$1" -s >/dev/null 2>&1
}

fw_ct_start() {
	local h=$1
	[ -x "$FW_CTD" ] || { echo "${0##*/}: SKIP: no conntrackd (Debian conntrackd)" >&2; exit 77; }
	fw_ct_conf "$h"
	"$TB_IP" netns exec "${TB_NS[$h]}" "$FW_CTD" -C "$TB_DIR/$h.ctd.conf" \
	    >>"$TB_DIR/$h.ctd.out" 2>&1 </dev/null &
	FW_CTPID[$h]=$!
	TB_ALLPIDS+=("$!")
	tb_until 10 fw_ct_up "$h" || tm_fail "conntrackd did not start in $h"
}

fw_freeze() {
	local h=$1 i
	tm_crash "$h"
	[ -n "${FW_CTPID[$h]:-}" ] && wait "${FW_CTPID[$h]}" 2>/dev/null
	for i in eth0 eth1 eth2; do
		[ "$i" = eth0 ] || [ -n "${TM_IFPORT[$h,$i]:-}" ] || continue
		tm_cut "$h" "$i"
	done
}

fw_stream_field() {
	sed -n "s/.* *\\<$2=\\([^ ]*\\).*/\\1/p" "$1" 2>/dev/null
}

fw_stream_bytes_over() {
	local b
	b=$(fw_stream_field "$TB_DIR/recv.state" bytes)
	[ "${b:-0}" -gt "$1" ]
}

fw_stream_ended() {
	case $(fw_stream_field "$TB_DIR/recv.state" end)$(fw_stream_field "$TB_DIR/send.state" end) in
	*reset* | *error* | *eof*) return 0 ;;
	esac
	return 1
}
