# shellcheck shell=bash
# A LAN of network namespaces for end-to-end tests of carpd (and ucarp).
# Sourced by tests/netns/*.sh; see HACKING, section 5.
#
#   tb_init                      skip unless root with ip netns; temp dir,
#                                names and an EXIT trap that cleans up
#   tb_switch                    the switch namespace with bridge br0
#   tb_host NAME ADDR/24         a host namespace, eth0 = veth into br0
#   tb_scripts                   up/down scripts $TB_DIR/NAME.up/.down for
#                                every host: log to $TB_EVENTS, really
#                                add/remove the VIP
#   tb_carpd HOST ARGS...        start $CARPD in HOST (foreground, in the
#                                background), stderr to $TB_DIR/HOST.log
#   tb_ucarp HOST ARGS...        the same for Debian's ucarp
#   tb_wait_master HOST VIP T    wait up to T s until HOST holds VIP
#   tb_wait_log HOST ERE T       wait up to T s until HOST's log matches
#   tb_wait_settled VIP HOST T   wait until HOST is the only holder of VIP
#   tb_holds T CMD...            CMD stays true for T seconds
#   tb_wait_event ERE T          wait for a script event (in $TB_EVENTS)
#   tb_events ERE                count script events matching ERE
#   tb_wait_events ERE N T       wait for more than N events matching ERE
#   tb_holders VIP               hosts holding VIP, one per line
#   tb_nholders_is N VIP         exactly N hosts hold VIP
#   tb_mac HOST                  the MAC address of HOST's eth0
#   tb_switch_drop MAC...        the switch drops frames to these MACs
#                                (CARP's multicast groups: no multicast)
#   tb_crash HOST                kill -9 everything in HOST, remove its VIPs
#   tb_signal HOST SIG           send SIG to HOST's daemon
#   tb_wait_exit HOST T          wait for HOST's daemon to exit; TB_RC
#   tb_partition/tb_heal HOST    HOST's switch port down / up
#   tb_capture / tb_capture_stop tcpdump -i br0 into $TB_DIR/br0.pcap
#   tb_adverts                   the CARP adverts in it, decoded
#   tb_fail MSG                  print every log and exit 1
#   tb_pass MSG                  print MSG and exit 0
#   tb_log MSG                   a time-stamped progress line on stderr
#
# Every test is self-contained: its names carry the shell's PID, and the
# EXIT trap kills every process it started and deletes every namespace.

TB_UCARP=${TB_UCARP:-/usr/sbin/ucarp}
TB_IP=$(command -v ip 2>/dev/null || echo /usr/sbin/ip)

declare -a TB_HOSTS=()
declare -a TB_ALLPIDS=()
declare -A TB_NS=() TB_ADDR=() TB_ADDR6=() TB_PID=() TB_PORT=()
TB_SW=
TB_CAPPID=

tb_log() {
	printf '%s %s: %s\n' "$(date +%T.%N | cut -c1-12)" "${0##*/}" "$*" >&2
}

tb_init() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "${0##*/}: SKIP: needs root" >&2
		exit 77
	fi
	TB_PFX="carpd$$"
	if ! "$TB_IP" netns add "$TB_PFX-probe" 2>/dev/null; then
		echo "${0##*/}: SKIP: ip netns does not work here" >&2
		exit 77
	fi
	"$TB_IP" netns del "$TB_PFX-probe"
	if [ -z "${CARPD:-}" ] || [ ! -x "$CARPD" ]; then
		echo "${0##*/}: CARPD is not set to the carpd binary" >&2
		exit 99
	fi
	TB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tb-${0##*/}.$$.XXXXXX") || exit 99
	TB_EVENTS=$TB_DIR/events.log
	: >"$TB_EVENTS"
	trap tb_cleanup EXIT
	trap 'exit 1' INT TERM HUP
}

tb_cleanup() {
	local rc=$? h pid pids ns nss=()
	trap - EXIT
	[ -n "$TB_CAPPID" ] && tb_capture_stop
	for pid in "${TB_ALLPIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null
	done
	for pid in "${TB_ALLPIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	# Scripts the daemons left running live in our namespaces too.
	for h in "${TB_HOSTS[@]}"; do
		nss+=("${TB_NS[$h]}")
	done
	[ -n "$TB_SW" ] && nss+=("$TB_SW")
	for ns in "${nss[@]}"; do
		pids=$("$TB_IP" netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086 # a list of PIDs
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		"$TB_IP" netns del "$ns" 2>/dev/null
	done
	if [ "$rc" -eq 0 ] && [ -z "${TB_KEEP:-}" ]; then
		rm -rf "$TB_DIR"
	else
		echo "${0##*/}: logs kept in $TB_DIR" >&2
	fi
	exit "$rc"
}

# Keep the segment quiet: no IPv6 chatter in captures (unless the test
# sets TB_IPV6=1 before tb_host: then tb_ipv6 instead).
tb_noipv6() {
	"$TB_IP" netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	    net.ipv6.conf.default.disable_ipv6=1
}

# IPv6 on, without duplicate address detection (the link-local address
# is usable at once) and without router solicitations.
tb_ipv6() {
	"$TB_IP" netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
	    net.ipv6.conf.default.disable_ipv6=0 \
	    net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
	    net.ipv6.conf.eth0.accept_dad=0 \
	    net.ipv6.conf.default.router_solicitations=0 \
	    net.ipv6.conf.eth0.router_solicitations=0
}

tb_switch() {
	TB_SW="$TB_PFX-sw"
	"$TB_IP" netns add "$TB_SW" || exit 99
	"$TB_IP" -n "$TB_SW" link set lo up
	tb_noipv6 "$TB_SW"
	"$TB_IP" -n "$TB_SW" link add br0 type bridge mcast_snooping 0 \
	    forward_delay 0 || exit 99
	"$TB_IP" -n "$TB_SW" link set br0 up
}

# tb_host NAME ADDR/PREFIX
tb_host() {
	local name=$1 addr=$2 ns port
	ns="$TB_PFX-$name"
	port="p$$$name"
	[ ${#port} -le 15 ] || { echo "port name $port too long" >&2; exit 99; }
	"$TB_IP" netns add "$ns" || exit 99
	"$TB_IP" -n "$TB_SW" link add "$port" type veth peer name eth0 \
	    netns "$ns" || exit 99
	"$TB_IP" -n "$TB_SW" link set "$port" master br0 up
	"$TB_IP" -n "$ns" link set lo up
	if [ -n "${TB_IPV6:-}" ]; then
		tb_ipv6 "$ns"
	else
		tb_noipv6 "$ns"
	fi
	"$TB_IP" -n "$ns" addr add "$addr" dev eth0 || exit 99
	"$TB_IP" -n "$ns" link set eth0 up
	TB_HOSTS+=("$name")
	TB_NS[$name]=$ns
	TB_ADDR[$name]=${addr%/*}
	TB_PORT[$name]=$port
}

# tb_partition HOST / tb_heal HOST: take HOST's switch port down / up.
tb_partition() {
	"$TB_IP" -n "$TB_SW" link set "${TB_PORT[$1]}" down
}

tb_heal() {
	"$TB_IP" -n "$TB_SW" link set "${TB_PORT[$1]}" up
}

# tb_scripts: $TB_DIR/HOST.up and HOST.down for every host so far.  Called
# as "script IFACE VIP [XPARAM]" (ucarp's contract), they append
# "TIME HOST up|down IFACE VIP STATE REASON" to $TB_EVENTS and add or
# remove VIP/24 on IFACE in the host's namespace (an IPv6 VIP: with its
# CARP_PREFIX, 64 without, and nodad, as the example scripts do).
tb_scripts() {
	local h ev op f
	for h in "${TB_HOSTS[@]}"; do
		for ev in up down; do
			[ "$ev" = up ] && op=add || op=del
			f=$TB_DIR/$h.$ev
			cat >"$f" <<-EOF
			#!/bin/sh
			echo "\$(date +%s.%N) $h $ev \$1 \$2 \${CARP_STATE:--} \${CARP_REASON:--}" >>"$TB_EVENTS"
			case \$2 in
			*:*) [ $op = add ] && dad=nodad || dad=
			     $TB_IP -6 addr $op "\$2/\${CARP_PREFIX:-64}" dev "\$1" \$dad 2>/dev/null ;;
			*) $TB_IP addr $op "\$2/24" dev "\$1" 2>/dev/null ;;
			esac
			exit 0
			EOF
			chmod +x "$f"
		done
	done
}

# tb_daemon HOST BINARY ARGS...: start BINARY in HOST's namespace in the
# background, stderr (and stdout) appended to $TB_DIR/HOST.log.
tb_daemon() {
	local h=$1 log
	shift
	log=$TB_DIR/$h.log
	echo "=== $(date +%s.%N) start: $*" >>"$log"
	"$TB_IP" netns exec "${TB_NS[$h]}" "$@" >>"$log" 2>&1 </dev/null &
	TB_PID[$h]=$!
	TB_ALLPIDS+=("$!")
}

tb_carpd() {
	local h=$1
	shift
	tb_daemon "$h" "$CARPD" "$@"
}

tb_ucarp() {
	local h=$1
	shift
	tb_daemon "$h" "$TB_UCARP" "$@"
}

# tb_now_us: microseconds since the epoch, without a fork.
tb_now_us() {
	echo "${EPOCHREALTIME/[.,]/}"
}

# tb_deadline T: the time (us) T seconds (a decimal) from now.
tb_deadline() {
	awk -v n="$(tb_now_us)" -v t="$1" 'BEGIN { printf "%.0f\n", n + t * 1e6 }'
}

# tb_until TIMEOUT CMD...: run CMD every 0.05 s until it succeeds (0) or
# TIMEOUT seconds have passed (1).
tb_until() {
	local end
	end=$(tb_deadline "$1")
	shift
	until "$@"; do
		[ "$(tb_now_us)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# tb_holds T CMD...: CMD stays true (checked every 0.1 s) for T seconds.
tb_holds() {
	local end
	end=$(tb_deadline "$1")
	shift
	while "$@"; do
		[ "$(tb_now_us)" -lt "$end" ] || return 0
		sleep 0.1
	done
	return 1
}

# tb_passfile NAME PASS: writes PASS to $TB_DIR/NAME.pass, prints the path.
tb_passfile() {
	(umask 077 && printf '%s\n' "$2" >"$TB_DIR/$1.pass")
	echo "$TB_DIR/$1.pass"
}

# tb_has HOST VIP: does HOST have VIP (IPv4 or IPv6) on eth0?
tb_has() {
	case $2 in
	*:*) "$TB_IP" -n "${TB_NS[$1]}" -6 -o addr show dev eth0 |
	    grep -q " inet6 $2/" ;;
	*) "$TB_IP" -n "${TB_NS[$1]}" -4 -o addr show dev eth0 |
	    grep -q " inet $2/" ;;
	esac
}

tb_holders() {
	local h
	for h in "${TB_HOSTS[@]}"; do
		tb_has "$h" "$1" && echo "$h"
	done
	return 0
}

tb_nholders_is() {
	[ "$(tb_holders "$2" | wc -l)" -eq "$1" ]
}

tb_mac() {
	"$TB_IP" -n "${TB_NS[$1]}" -o link show dev eth0 |
	    sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

tb_switch_drop() {
	local set
	set=$(IFS=,; echo "$*")
	"$TB_IP" netns exec "$TB_SW" nft -f - <<-EOF
	table bridge filter {
		chain forward {
			type filter hook forward priority 0; policy accept;
			ether daddr { $set } counter drop
		}
	}
	EOF
}

tb_wait_master() {
	tb_until "$3" tb_has "$1" "$2"
}

tb_only_holder() {
	[ "$(tb_holders "$1" | tr '\n' ' ')" = "$2 " ]
}

# tb_wait_settled VIP HOST TIMEOUT: HOST is the one and only holder.
tb_wait_settled() {
	tb_until "$3" tb_only_holder "$1" "$2"
}

tb_loggrep() {
	grep -Eq -- "$2" "$TB_DIR/$1.log" 2>/dev/null
}

tb_wait_log() {
	tb_until "$3" tb_loggrep "$1" "$2"
}

# tb_count HOST ERE: how many lines of HOST's log match.
tb_count() {
	local n
	n=$(grep -Ec -- "$2" "$TB_DIR/$1.log" 2>/dev/null)
	echo "${n:-0}"
}

tb_events_grep() {
	grep -Eq -- "$1" "$TB_EVENTS"
}

tb_wait_event() {
	tb_until "$2" tb_events_grep "$1"
}

# tb_events ERE: how many script events match.
tb_events() {
	grep -Ec -- "$1" "$TB_EVENTS"
}

tb_events_more() {
	[ "$(tb_events "$1")" -gt "$2" ]
}

# tb_wait_events ERE N T: wait up to T s for more than N events matching.
tb_wait_events() {
	tb_until "$3" tb_events_more "$1" "$2"
}

# tb_event_time ERE: the time stamp of the last event line matching ERE.
tb_event_time() {
	grep -E -- "$1" "$TB_EVENTS" | tail -n 1 | cut -d' ' -f1
}

tb_alive() {
	kill -0 "${TB_PID[$1]}" 2>/dev/null
}

tb_signal() {
	kill -s "$2" "${TB_PID[$1]}"
}

tb_dead() {
	! tb_alive "$1"
}

# tb_wait_exit HOST TIMEOUT: wait for the daemon to exit and set TB_RC to
# its exit status; fails if it is still running after TIMEOUT seconds.
# (Not in $(...): only this shell can reap its children.)
tb_wait_exit() {
	TB_RC=
	tb_until "$2" tb_dead "$1" || return 1
	wait "${TB_PID[$1]}"
	# shellcheck disable=SC2034 # for the caller
	TB_RC=$?
}

# tb_crash HOST: the host dies: every process in its namespace (the
# daemon, any helper process it forked, running scripts) is stopped, then
# killed with SIGKILL, so none of them can react to another one's death;
# its VIPs go away (its own address stays).
tb_crash() {
	local h=$1 a pids
	pids=$("$TB_IP" netns pids "${TB_NS[$h]}")
	# shellcheck disable=SC2086 # a list of PIDs
	if [ -n "$pids" ]; then
		kill -STOP $pids 2>/dev/null
		kill -KILL $pids 2>/dev/null
	fi
	wait "${TB_PID[$h]}" 2>/dev/null
	for a in $("$TB_IP" -n "${TB_NS[$h]}" -4 -o addr show dev eth0 |
	    awk '{ print $4 }'); do
		[ "${a%/*}" = "${TB_ADDR[$h]}" ] && continue
		"$TB_IP" -n "${TB_NS[$h]}" addr del "$a" dev eth0
	done
	# IPv6 VIPs: every global address but the host's own (TB_ADDR6,
	# set by a test that gives its hosts one).
	for a in $("$TB_IP" -n "${TB_NS[$h]}" -6 -o addr show dev eth0 \
	    scope global | awk '{ print $4 }'); do
		[ "${a%/*}" = "${TB_ADDR6[$h]:-}" ] && continue
		"$TB_IP" -n "${TB_NS[$h]}" addr del "$a" dev eth0
	done
	echo "=== $(date +%s.%N) crashed (kill -9, VIPs removed)" >>"$TB_DIR/$h.log"
}

tb_capture() {
	"$TB_IP" netns exec "$TB_SW" tcpdump -i br0 -U -n -w "$TB_DIR/br0.pcap" \
	    >"$TB_DIR/tcpdump.log" 2>&1 &
	TB_CAPPID=$!
	tb_until 5 grep -q "listening on" "$TB_DIR/tcpdump.log"
}

tb_capture_stop() {
	[ -n "$TB_CAPPID" ] || return 0
	kill -INT "$TB_CAPPID" 2>/dev/null
	wait "$TB_CAPPID" 2>/dev/null
	TB_CAPPID=
}

# tb_adverts: the CARP adverts captured so far, one a line:
# "TIME 192.0.2.1 > 224.0.0.18: CARPv2-advertise 36: vhid=7 advbase=1
# advskew=0 authlen=7 counter=N".
tb_adverts() {
	tcpdump -r "$TB_DIR/br0.pcap" -T carp -n -tt 'ip proto 112' 2>/dev/null |
	    sed 's/ IP / /'
}

tb_dump() {
	local h
	for h in "${TB_HOSTS[@]}"; do
		echo "----- $h (${TB_ADDR[$h]}) log:"
		cat "$TB_DIR/$h.log" 2>/dev/null
		echo "----- $h addresses:"
		"$TB_IP" -n "${TB_NS[$h]}" -4 -o addr show dev eth0 2>/dev/null
	done
	echo "----- script events:"
	cat "$TB_EVENTS"
	if [ -s "$TB_DIR/br0.pcap" ]; then
		echo "----- CARP adverts on br0:"
		tb_adverts
	fi
}

tb_fail() {
	echo "${0##*/}: FAIL: $*" >&2
	tb_dump >&2
	exit 1
}

tb_pass() {
	echo "${0##*/}: PASS${1:+: $*}"
	exit 0
}

# tb_elapsed START END: END - START in seconds (decimal strings).
tb_elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'
}

# tb_lt X Y: X < Y for decimals.
tb_lt() {
	awk -v x="$1" -v y="$2" 'BEGIN { exit !(x < y) }'
}
