# shellcheck shell=bash
# Extra helpers for the tests/netns/m_*.sh tests: many vhids over two
# interfaces in one carpd, run from a configuration file and watched with
# carpctl.  Sourced after lib.sh; uses lib.sh's TB_* variables.
#
#   tm_switch2                   a second bridge, br1, in the switch
#   tm_iface HOST IF ADDR/LEN    another veth IF of HOST, into br1
#   tm_partition2/tm_heal2 HOST IF  the switch port of HOST's IF down / up
#   tm_cut HOST [IF] / tm_mend HOST [IF]  the bridge stops / resumes
#                                forwarding on HOST's port of IF (default
#                                eth0): a partition HOST does not see as
#                                a link loss (the carrier stays up)
#   tm_has HOST IF VIP           HOST holds VIP on IF
#   tm_holders IF VIP            hosts holding VIP on IF, one per line
#   tm_wait_settled IF VIP HOST T  HOST is the only holder of VIP on IF
#   tm_conf HOST                 stdin -> $TB_DIR/HOST.conf (mode 600)
#   tm_carpd_conf HOST [ARGS]    carpd -c $TB_DIR/HOST.conf in HOST
#   tm_ctl HOST ARGS...          carpctl -s $TB_DIR/HOST.sock ARGS...
#   tm_table HOST                `carpctl status --json` of HOST as lines
#                                "VHID IF STATE TRANSITIONS LAST_CHANGE_UNIX
#                                MASTER REASON"
#   tm_row HOST VHID IF          that line for one vhid
#   tm_state HOST VHID IF        its state
#   tm_wait_state HOST VHID IF STATE T
#   tm_crash HOST                tb_crash, and its VIPs on every interface go
#   tm_kill_parent HOST T        kill -9 the daemon's PID (the privileged
#                                parent) only; true if every process in
#                                HOST is gone within T s (the network
#                                process must follow its parent)
#   tm_tr_count HOST VHID IF     transition lines of the vhid in HOST's log
#   tm_later MSG                 a failure reported at tm_check_later, so
#                                that the rest of the test still runs
#   tm_check_later               tm_fail if there was any tm_later
#   tm_log_more HOST ERE N       more than N lines of HOST's log match ERE
#   tm_ev_count HOST VIP         script events of HOST for VIP
#
# Socket, config and pid files are in $TB_DIR (each test's own); carpd's
# default control socket, /run/carpd.sock, is shared by every namespace.

TM_PY=${TM_PY:-/usr/bin/python3}
TM_CARPCTL=${CARPCTL:-$(dirname "$CARPD")/carpctl}

declare -A TM_IFADDR=() TM_IFPORT=()
declare -a TM_LATER=()

tm_switch2() {
	"$TB_IP" -n "$TB_SW" link add br1 type bridge mcast_snooping 0 \
	    forward_delay 0 || exit 99
	"$TB_IP" -n "$TB_SW" link set br1 up
}

# tm_iface HOST IF ADDR/LEN: a veth IF in HOST, its peer a port of br1.
tm_iface() {
	local h=$1 ifname=$2 addr=$3 port
	port="q$$$h"
	[ ${#port} -le 15 ] || { echo "port name $port too long" >&2; exit 99; }
	"$TB_IP" -n "$TB_SW" link add "$port" type veth peer name "$ifname" \
	    netns "${TB_NS[$h]}" || exit 99
	"$TB_IP" -n "$TB_SW" link set "$port" master br1 up
	"$TB_IP" -n "${TB_NS[$h]}" addr add "$addr" dev "$ifname" || exit 99
	"$TB_IP" -n "${TB_NS[$h]}" link set "$ifname" up
	TM_IFADDR[$h,$ifname]=${addr%/*}
	TM_IFPORT[$h,$ifname]=$port
}

tm_partition2() {
	"$TB_IP" -n "$TB_SW" link set "${TM_IFPORT[$1,$2]}" down
}

tm_heal2() {
	"$TB_IP" -n "$TB_SW" link set "${TM_IFPORT[$1,$2]}" up
}

tm_port() {
	if [ "${2:-eth0}" = eth0 ]; then
		echo "${TB_PORT[$1]}"
	else
		echo "${TM_IFPORT[$1,$2]}"
	fi
}

tm_cut() {
	"$TB_IP" netns exec "$TB_SW" bridge link set dev "$(tm_port "$@")" state 0
}

tm_mend() {
	"$TB_IP" netns exec "$TB_SW" bridge link set dev "$(tm_port "$@")" state 3
}

tm_has() {
	"$TB_IP" -n "${TB_NS[$1]}" -4 -o addr show dev "$2" 2>/dev/null |
	    grep -q " inet $3/"
}

tm_holders() {
	local h
	for h in "${TB_HOSTS[@]}"; do
		tm_has "$h" "$1" "$2" && echo "$h"
	done
	return 0
}

tm_only_holder() {
	[ "$(tm_holders "$1" "$2" | tr '\n' ' ')" = "$3 " ]
}

tm_wait_settled() {
	tb_until "$4" tm_only_holder "$1" "$2" "$3"
}

tm_conf() {
	(umask 077 && cat >"$TB_DIR/$1.conf")
}

# The global settings every test config starts with: its own socket and
# pid file.
tm_globals() {
	printf 'control-socket %s\npidfile %s\n' "$TB_DIR/$1.sock" \
	    "$TB_DIR/$1.pid"
}

tm_carpd_conf() {
	local h=$1
	shift
	tb_carpd "$h" -c "$TB_DIR/$h.conf" "$@"
}

tm_ctl() {
	local h=$1
	shift
	"$TM_CARPCTL" -s "$TB_DIR/$h.sock" "$@"
}

tm_sock_up() {
	tm_ctl "$1" status >/dev/null 2>&1
}

# tm_wait_ctl HOST T: the control socket answers.
tm_wait_ctl() {
	tb_until "$2" tm_sock_up "$1"
}

tm_table() {
	tm_ctl "$1" status --json | "$TM_PY" -c '
import json, sys
d = json.load(sys.stdin)
for v in d["vhids"]:
    print(v["vhid"], v["interface"], v["state"], v["transitions"],
          v["last_change_unix"], v["master"], v["reason"])
'
}

tm_row() {
	tm_table "$1" | awk -v v="$2" -v i="$3" '$1 == v && $2 == i'
}

tm_state() {
	tm_row "$@" | awk '{ print $3 }'
}

tm_state_is() {
	[ "$(tm_state "$1" "$2" "$3")" = "$4" ]
}

tm_wait_state() {
	tb_until "$5" tm_state_is "$1" "$2" "$3" "$4"
}

# tm_crash HOST: tb_crash, then the VIPs on HOST's other interfaces go too.
tm_crash() {
	local h=$1 key ifname a
	tb_crash "$h"
	for key in "${!TM_IFADDR[@]}"; do
		[ "${key%%,*}" = "$h" ] || continue
		ifname=${key#*,}
		for a in $("$TB_IP" -n "${TB_NS[$h]}" -4 -o addr show \
		    dev "$ifname" | awk '{ print $4 }'); do
			[ "${a%/*}" = "${TM_IFADDR[$key]}" ] && continue
			"$TB_IP" -n "${TB_NS[$h]}" addr del "$a" dev "$ifname"
		done
	done
}

tm_ns_empty() {
	[ -z "$("$TB_IP" netns pids "${TB_NS[$1]}" 2>/dev/null)" ]
}

tm_kill_parent() {
	kill -9 "${TB_PID[$1]}" 2>/dev/null
	wait "${TB_PID[$1]}" 2>/dev/null
	echo "=== $(date +%s.%N) kill -9 ${TB_PID[$1]} (the parent)" >>"$TB_DIR/$1.log"
	tb_until "$2" tm_ns_empty "$1"
}

tm_tr_count() {
	tb_count "$1" "vhid $2 on $3: [A-Z]+ -> [A-Z]+ \("
}

tm_log_more() {
	[ "$(tb_count "$1" "$2")" -gt "$3" ]
}

tm_ev_count() {
	tb_events " $1 (up|down) [^ ]+ $2 "
}

tm_dump() {
	local h key
	for key in "${!TM_IFADDR[@]}"; do
		h=${key%%,*}
		echo "----- $h ${key#*,} addresses:"
		"$TB_IP" -n "${TB_NS[$h]}" -4 -o addr show dev "${key#*,}" 2>/dev/null
	done
	for h in "${TB_HOSTS[@]}"; do
		[ -S "$TB_DIR/$h.sock" ] || continue
		echo "----- carpctl status of $h:"
		tm_ctl "$h" status 2>&1
	done
}

# tm_fail MSG: the second interfaces and every carpctl status, then tb_fail.
tm_fail() {
	tm_dump >&2
	tb_fail "$@"
}

tm_later() {
	echo "${0##*/}: FAIL (reported at the end): $*" >&2
	TM_LATER+=("$*")
}

tm_check_later() {
	[ "${#TM_LATER[@]}" -eq 0 ] && return 0
	tm_fail "$(printf '%s; ' "${TM_LATER[@]}")"
}
