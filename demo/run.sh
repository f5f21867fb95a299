#!/usr/bin/env bash
# carpd demo: two hosts share a virtual address; the master crashes and
# the backup takes over while a client keeps pinging the address.
#
#   sudo ./demo/run.sh
#
# Everything happens in network namespaces created for the run (a switch
# with a bridge, hosts "alpha" and "bravo", a "client"), on the
# documentation network 192.0.2.0/24; the host's own interfaces are not
# touched and everything is removed on exit.  Installs the Debian
# packages it needs if they are missing and builds carpd if needed.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
VIP=192.0.2.100
ADVBASE=1		# seconds between adverts
SKEW_ALPHA=0		# alpha advertises more often: the preferred master
SKEW_BRAVO=100		# bravo: 1 + 100/256 s

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
heading() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
note() { printf '   %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run me as root (sudo $0): I create network namespaces"

# ---- 1. what the demo needs ----

need_packages() {
	local missing=() p
	for p in gcc make libc6-dev autoconf automake pkg-config libpcap-dev \
	    libnet1-dev libevent-dev nettle-dev libcap-ng-dev libseccomp-dev \
	    libsystemd-dev check \
	    iproute2 iputils-ping; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	heading "Installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
}

# A binary from an in-tree build, or from ./tests/run-all.sh (in ./build).
CARPD=
for c in "$top/src/carpd" "$top/build/src/carpd"; do
	if [ -x "$c" ]; then CARPD=$c; break; fi
done

build_carpd() {
	[ -n "$CARPD" ] && return 0
	heading "Building carpd"
	(
		cd "$top"
		[ -x configure ] || autoreconf -fi >/dev/null 2>&1
		[ -f Makefile ] || ./configure -q
		make -s -j"$(nproc)" >/dev/null
	) || die "the build failed; see the output above"
	CARPD=$top/src/carpd
}

if command -v dpkg-query >/dev/null; then
	need_packages
fi
for t in ip bridge ping; do
	command -v "$t" >/dev/null || die "$t is missing (Debian: iproute2, iputils-ping)"
done
build_carpd
# The network process's own user (see README, section 2).
if ! getent passwd carpd >/dev/null; then
	heading "Creating the system user carpd"
	if command -v adduser >/dev/null; then
		adduser --system --group --no-create-home --home /nonexistent \
		    carpd >/dev/null
	else
		useradd --system --user-group --no-create-home \
		    --home-dir /nonexistent --shell /usr/sbin/nologin carpd
	fi || die "cannot create the user carpd"
fi

# ---- 2. the LAN ----

id=$$
NS_SW=carpdemo-sw-$id
NS_A=carpdemo-alpha-$id
NS_B=carpdemo-bravo-$id
NS_C=carpdemo-client-$id
tmp=$(mktemp -d /tmp/carpd-demo.XXXXXX)
pids=()

cleanup() {
	local p ns
	for p in "${pids[@]}"; do
		kill -9 "$p" 2>/dev/null || :
	done
	for ns in "$NS_A" "$NS_B" "$NS_C" "$NS_SW"; do
		# Kills whatever still runs inside (scripts included).
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || :
		ip netns del "$ns" 2>/dev/null || :
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Wait until a command succeeds, at most $1 seconds.
wait_until() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 20; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

heading "Building a LAN: switch, alpha, bravo, client (network namespaces)"
ip netns add "$NS_SW"
ip -n "$NS_SW" link add br0 type bridge
ip -n "$NS_SW" link set br0 up
n=0
for host in alpha:192.0.2.1 bravo:192.0.2.2 client:192.0.2.50; do
	name=${host%%:*} addr=${host#*:} n=$((n + 1))
	ns=carpdemo-$name-$id
	ip netns add "$ns"
	# veth names are at most 15 characters: cd<pid>h<n> and cd<pid>s<n>.
	ip link add "cd${id}h$n" netns "$ns" type veth peer "cd${id}s$n" netns "$NS_SW"
	ip -n "$ns" link set "cd${id}h$n" name eth0
	ip -n "$ns" addr add "$addr/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set lo up
	ip -n "$NS_SW" link set "cd${id}s$n" master br0 up
	note "$(printf '%-7s eth0 %s' "$name" "$addr")"
done
note "virtual address $VIP, vhid 1, password in a file of mode 0600"

printf 'demo-secret\n' >"$tmp/pass"
chmod 600 "$tmp/pass"
# Root runs the scripts: carpd refuses them unless root owns them (and
# every directory above), which a clone of another user does not.
install -m 755 "$top/examples/vip-up.sh" "$top/examples/vip-down.sh" "$tmp/"

# ---- 3. carpd on alpha and bravo ----

start_carpd() {	# namespace, own address, advskew, log
	ip netns exec "$1" "$CARPD" --interface=eth0 --srcip="$2" --vhid=1 \
		--passfile="$tmp/pass" --addr="$VIP/24" --advbase=$ADVBASE \
		--advskew="$3" --preempt \
		--upscript="$tmp/vip-up.sh" \
		--downscript="$tmp/vip-down.sh" 2>"$4" &
	pids+=($!)
	disown $!	# no "Killed" message from bash at the crash
}

holds_vip() { ip -n "$1" -o addr show dev eth0 | grep -qF " $VIP/"; }
# The state of the last transition line: "vhid 1 on eth0: BACKUP -> MASTER (reason)".
state_of() { sed -n 's/.*: [A-Z]* -> \([A-Z]*\) (.*/\1/p' "$1" | tail -n 1; }
who_holds() {
	local h ns
	for h in alpha bravo; do
		ns=carpdemo-$h-$id
		if holds_vip "$ns"; then echo "$h"; fi
	done
}

heading "Starting carpd on alpha (advskew $SKEW_ALPHA) and bravo (advskew $SKEW_BRAVO)"
note "$CARPD -i eth0 -s 192.0.2.1 -v 1 -o pass -a $VIP/24 -b $ADVBASE -k $SKEW_ALPHA -P -u vip-up.sh -d vip-down.sh"
note "both start as BACKUP and wait one master-down interval (3 adverts);"
note "alpha's is shorter (3 s against 3.39 s), so alpha becomes MASTER"
start_carpd "$NS_A" 192.0.2.1 $SKEW_ALPHA "$tmp/alpha.log"
pid_alpha=${pids[-1]}
start_carpd "$NS_B" 192.0.2.2 $SKEW_BRAVO "$tmp/bravo.log"

t0=$(date +%s.%N)
wait_until 10 holds_vip "$NS_A" || {
	cat "$tmp"/*.log >&2
	die "alpha did not take the virtual address"
}
printf '   alpha took %s %.1f s after the start\n' "$VIP" \
	"$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')"

heading "Who is master?"
note "alpha: $(state_of "$tmp/alpha.log")   bravo: $(state_of "$tmp/bravo.log")"
note "holding $VIP: $(who_holds)"

# ---- 4. the client pings the address, the master crashes ----

heading "The client pings $VIP every 0.2 s"
ip netns exec "$NS_C" ping -D -n -i 0.2 -W 1 "$VIP" >"$tmp/ping.log" 2>&1 &
pid_ping=$!
pids+=("$pid_ping")
wait_until 5 grep -q "bytes from" "$tmp/ping.log" || die "the client gets no answer"
sleep 1.5
note "$(grep -c 'bytes from' "$tmp/ping.log") replies so far, from alpha"

heading "Crash: kill -9 carpd on alpha and remove the address (no goodbye)"
kill -9 "$pid_alpha"
ip -n "$NS_A" addr del "$VIP/24" dev eth0
t_crash=$(date +%s.%N)
note "bravo hears no more adverts; after its master-down interval"
note "(3 x 1 s + 100/256 s = 3.39 s after alpha's last advert) it becomes"
note "MASTER, runs its up script and sends a gratuitous ARP for $VIP"

wait_until 10 holds_vip "$NS_B" || {
	cat "$tmp"/*.log >&2
	die "bravo did not take over"
}
t_take=$(date +%s.%N)
printf '   bravo holds %s, %.2f s after the crash\n' "$VIP" \
	"$(awk -v a="$t_crash" -v b="$t_take" 'BEGIN { print b - a }')"
sleep 1.5
kill -INT "$pid_ping" 2>/dev/null || :
wait "$pid_ping" 2>/dev/null || :

heading "Who is master now?"
note "alpha: crashed   bravo: $(state_of "$tmp/bravo.log")"
note "holding $VIP: $(who_holds)"

heading "What the client saw"
# Replies look like "[1700000000.123456] 64 bytes from ...: icmp_seq=5 ...".
awk '
	/bytes from/ {
		t = substr($1, 2, length($1) - 2) + 0
		if (last && t - last > gap) { gap = t - last; from = lastseq; to = $0 }
		last = t; lastseq = $0
		n++
	}
	/packets transmitted/ { summary = $0 }
	END {
		print "   " summary
		printf "   longest gap between two replies: %.2f s\n", gap
		sub(/^.*icmp_seq=/, "", from); sub(/ .*/, "", from)
		sub(/^.*icmp_seq=/, "", to); sub(/ .*/, "", to)
		printf "   (between icmp_seq %s and %s: the failover)\n", from, to
	}' "$tmp/ping.log"

heading "carpd's log: the transitions and the scripts"
for h in alpha bravo; do
	note "--- $h"
	grep -E -- "-> |script " "$tmp/$h.log" | sed 's/^/   /' || :
done
[ -s "$tmp/alpha.log" ] && note "(alpha's log ends at the crash: kill -9 leaves no last word)"

heading "Done"
note "a clean stop (SIGTERM) would have sent a bow-out advert instead:"
note "the backup then takes over at once, without waiting 3.39 s"
note "cleaning up the namespaces"
