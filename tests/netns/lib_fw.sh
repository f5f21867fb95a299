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

FW_IN=192.0.2.254
FW_OUT=198.51.100.254
FW_SERVER=198.51.100.10
FW_NFT=${FW_NFT:-/usr/sbin/nft}

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
				upscript $TB_DIR/$h.up
				downscript $TB_DIR/$h.down
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
