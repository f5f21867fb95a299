# shellcheck shell=bash
# Helpers for the hardening tests (tests/netns/h_*.sh), sourced after
# lib.sh and built on it.
#
#   th_need_scapy                skip (77) unless $TH_PY has scapy
#   th_plain_switch              the bridge forwards IPv4 frames as a
#                                switch does, without br_netfilter's
#                                header checks (which drop bad checksums)
#   th_py HOST TOOL ARGS...      run tests/netns/tools/TOOL (scapy) in
#                                HOST's namespace; output to
#                                $TB_DIR/HOST.TOOL.log
#   th_py_bg HOST TOOL ARGS...   the same in the background; TH_BGPID
#   th_mark HOST WORDS...        a marker line in $TB_EVENTS ("... HOST
#                                start"): script order is checked per run
#   th_transitions HOST [ERE]    transition lines of HOST's log (matching)
#   th_cpu_ns HOST               CPU time (ns) used so far by the carpd
#                                processes of HOST's namespace
#   th_status HOST               SIGUSR1; prints the status line it logs
#   th_block / th_unblock HOST   silent partition: HOST's switch port stops
#                                forwarding (bridge port state disabled)
#                                but keeps its carrier; tb_partition is
#                                the partition with carrier loss
#   th_replug HOST               delete HOST's eth0 and plug a new veth
#                                named eth0 with the same address
#   th_order_ok HOST             HOST's script events alternate (down at
#                                start, then up, down, ...) in each run
#   th_last_event HOST           up or down: HOST's last script event
#   th_check COND MSG / th_failures
#                                collect failures, report them together
#   th_after_cleanup FUNC        run FUNC at exit, after tb_cleanup
#                                has killed the daemons and deleted the
#                                namespaces

TH_PY=${TH_PY:-/usr/bin/python3}
TH_TOOLS=${top_srcdir:-.}/tests/netns/tools
TH_BGPID=
declare -a TH_FAILED=()

th_need_scapy() {
	if ! "$TH_PY" -c 'import scapy.all' 2>/dev/null; then
		echo "${0##*/}: SKIP: $TH_PY has no scapy (python3-scapy)" >&2
		exit 77
	fi
}

# With br_netfilter (built into many kernels, on by default in each new
# namespace) the bridge validates IPv4 headers of the frames it forwards
# and silently drops truncated ones and bad checksums: a real switch
# does not.
th_plain_switch() {
	ip netns exec "$TB_SW" sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
	    net.bridge.bridge-nf-call-ip6tables=0 \
	    net.bridge.bridge-nf-call-arptables=0 2>/dev/null || true
}

th_py() {
	local h=$1 tool=$2
	shift 2
	ip netns exec "${TB_NS[$h]}" "$TH_PY" "$TH_TOOLS/$tool" "$@" \
	    >>"$TB_DIR/$h.${tool%.py}.log" 2>&1
}

th_py_bg() {
	local h=$1 tool=$2
	shift 2
	ip netns exec "${TB_NS[$h]}" "$TH_PY" "$TH_TOOLS/$tool" "$@" \
	    >>"$TB_DIR/$h.${tool%.py}.log" 2>&1 </dev/null &
	# shellcheck disable=SC2034 # for the caller
	TH_BGPID=$!
	TB_ALLPIDS+=("$!")
}

th_mark() {
	local h=$1
	shift
	echo "$(date +%s.%N) $h $*" >>"$TB_EVENTS"
}

th_transitions() {
	grep -E ' vhid [0-9]+ on [^ ]+: [A-Z]+ -> [A-Z]+ \(' "$TB_DIR/$1.log" \
	    2>/dev/null | grep -Ec -- "${2:-.}" || true
}

# Every carpd of the namespace (a privilege-separated daemon may be more
# than one process), scripts excluded.  schedstat's first field is the
# time on a CPU in ns; /proc/PID/stat's utime+stime (in ticks) if absent.
th_cpu_ns() {
	local pid total=0 t tck
	tck=$(getconf CLK_TCK)
	for pid in $("$TB_IP" netns pids "${TB_NS[$1]}" 2>/dev/null); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = carpd ] || continue
		if [ -r "/proc/$pid/schedstat" ]; then
			t=$(cut -d' ' -f1 "/proc/$pid/schedstat" 2>/dev/null)
		else
			t=$(awk -v k="$tck" '{ sub(/^.*\) /, ""); \
			    printf "%.0f\n", ($12 + $13) * 1e9 / k }' \
			    "/proc/$pid/stat" 2>/dev/null)
		fi
		total=$((total + ${t:-0}))
	done
	echo "$total"
}

# th_status HOST: the status line(s) SIGUSR1 makes HOST log.
th_status() {
	local h=$1 n
	n=$(tb_count "$h" ' state [A-Z]+, source ')
	tb_signal "$h" USR1
	tb_until 3 th_count_more "$h" ' state [A-Z]+, source ' "$n" || return 1
	grep -E ' state [A-Z]+, source ' "$TB_DIR/$h.log" | tail -n 1
}

th_count_more() {
	[ "$(tb_count "$1" "$2")" -gt "$3" ]
}

th_block() {
	bridge -n "$TB_SW" link set dev "${TB_PORT[$1]}" state 0
}

th_unblock() {
	bridge -n "$TB_SW" link set dev "${TB_PORT[$1]}" state 3
}

# th_replug HOST: the host's NIC is replaced by a new one of the same
# name (new ifindex, new MAC) on the same switch port name and address.
th_replug() {
	local h=$1 ns=${TB_NS[$1]} port=${TB_PORT[$1]}
	"$TB_IP" -n "$ns" link del eth0 || return 1
	tb_until 3 th_gone "$port" || return 1
	"$TB_IP" -n "$TB_SW" link add "$port" type veth peer name eth0 \
	    netns "$ns" || return 1
	"$TB_IP" -n "$TB_SW" link set "$port" master br0 up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
	"$TB_IP" -n "$ns" addr add "${TB_ADDR[$h]}/24" dev eth0 || return 1
	"$TB_IP" -n "$ns" link set eth0 up
}

th_gone() {
	! "$TB_IP" -n "$TB_SW" link show "$1" >/dev/null 2>&1
}

# th_order_ok HOST: in each run of HOST's daemon (th_mark HOST start ...
# separates them) the script events are down, up, down, up... or, with
# --neutral (th_mark HOST start neutral), up, down, ...  Prints the
# sequence.
th_order_ok() {
	awk -v h="$1" '
	$2 != h { next }
	$3 == "start" { want = ($4 == "neutral") ? "any" : "down"; seq = seq " |"; next }
	$3 == "up" || $3 == "down" {
		seq = seq " " $3
		if (want != "any" && $3 != want) bad = 1
		want = ($3 == "up") ? "down" : "up"
	}
	END { print seq; exit bad }' "$TB_EVENTS"
}

th_last_event() {
	awk -v h="$1" '$2 == h && ($3 == "up" || $3 == "down") { e = $3 }
	    END { print e }' "$TB_EVENTS"
}

# th_check CMD...: run CMD; on failure remember TH_MSG (set by the caller).
th_check() {
	if ! "$@"; then
		TH_FAILED+=("$TH_MSG")
		tb_log "check failed: $TH_MSG"
		return 1
	fi
}

# th_failures: fail with every remembered failure, if any.
th_failures() {
	local IFS='; '
	[ ${#TH_FAILED[@]} -eq 0 ] || tb_fail "${TH_FAILED[*]}"
}

th_after_cleanup() {
	TH_AFTER=$1
	trap th_exit_hook EXIT
}

# tb_cleanup ends in exit: run it in a subshell (it inherits every name
# and PID it needs, and $? is the exit status), then FUNC.
th_exit_hook() {
	local rc=$?
	trap - EXIT
	disown -a 2>/dev/null	# no "Killed" notices from this shell
	(exit "$rc")
	(tb_cleanup)
	"$TH_AFTER"
	exit "$rc"
}
