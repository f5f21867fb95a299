#!/usr/bin/env bash
# carpd from /etc/network/interfaces (Debian's ifupdown): hosts a and b
# bring up vhid 7 with "ifup eth0" from ucarp's stanzas, unchanged (the
# example of ucarp's README.Debian: ucarp-vid, ucarp-vip, ucarp-password,
# ucarp-advskew, ucarp-advbase, ucarp-master, and an eth0:ucarp stanza
# that carpd's default scripts bring up and down).  a crashes: b takes
# over.  a reboots and comes back from carp-* stanzas (its own scripts,
# carp-preempt): it takes the address back.  ifdown on each host stops
# its carpd: no process left, the address removed.
#
# ifupdown runs hooks only from /etc/network/if-*.d (run-parts of a fixed
# path, with the environment cleared), and the default scripts call plain
# "ifup eth0:ucarp", which reads /etc/network/interfaces and keeps state
# in /run/network.  So each host is given, in a private mount namespace
# (ip netns exec makes one; nothing propagates to the machine), its own
# /etc/network (the interfaces file, if-up.d/carpd -> the source tree's
# ifupdown/carpd, if-down.d/carpd -> ../if-up.d/carpd, as the package
# installs them), /run, and /usr/local (sbin/carpd -> $CARPD, and
# copies of the source tree's ifupdown/vip-up and vip-down in
# share/carpd, as "make install" puts them).  The machine's /etc/network
# and /run are never touched.  Under the sanitizers, carpd's reports go to files that the
# test checks.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

if ! command -v ifup >/dev/null; then
	echo "${0##*/}: SKIP: ifupdown is not installed" >&2
	exit 77
fi
VIP=192.0.2.100
PASS="ifupdown $$"
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
passfile=$(tb_passfile group "$PASS")

# root HOST: the private tree of HOST.
root() {
	echo "$TB_DIR/$1.root"
}

# setup HOST: eth0 as ifupdown finds it at boot (down, no address) and
# the host's private /etc/network, /run and /usr/local.
setup() {
	local r
	r=$(root "$1")
	"$TB_IP" -n "${TB_NS[$1]}" addr flush dev eth0
	"$TB_IP" -n "${TB_NS[$1]}" link set eth0 down
	rm -rf "$r"
	mkdir -p "$r"/etc/network/if-{pre-up,up,down,post-down}.d \
	    "$r/run" "$r/usr/local/sbin" "$r/usr/local/share/carpd"
	ln -s "$top_srcdir/ifupdown/carpd" "$r/etc/network/if-up.d/carpd"
	ln -s ../if-up.d/carpd "$r/etc/network/if-down.d/carpd"
	if [ -n "${ASAN_OPTIONS:-}${UBSAN_OPTIONS:-}" ]; then
		# ifupdown clears the environment, and a daemon has no stderr:
		# the sanitizers' options and reports go through a file.
		cat >"$r/usr/local/sbin/carpd" <<-EOF
		#!/bin/sh
		export ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$TB_DIR/sanitizer"
		export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$TB_DIR/sanitizer"
		exec "$CARPD" "\$@"
		EOF
		chmod +x "$r/usr/local/sbin/carpd"
	else
		ln -s "$CARPD" "$r/usr/local/sbin/carpd"
	fi
	# Copies, as "make install" makes: root runs no script through a
	# symbolic link (carpd(8), SECURITY).
	install -m 755 "$top_srcdir/ifupdown/vip-up" \
	    "$top_srcdir/ifupdown/vip-down" "$r/usr/local/share/carpd/"
}

# ucarp_stanzas HOST ADVSKEW MASTER: ucarp's README.Debian example.
ucarp_stanzas() {
	cat >"$(root "$1")/etc/network/interfaces" <<-EOF
	iface eth0 inet static
		address ${TB_ADDR[$1]}
		netmask 255.255.255.0
		ucarp-vid 7
		ucarp-vip $VIP
		ucarp-password $PASS
		ucarp-advskew $2
		ucarp-advbase 1
		ucarp-master $3
	iface eth0:ucarp inet static
		address $VIP
		netmask 255.255.255.255
	EOF
}

# on HOST CMD...: run CMD in HOST's namespace with its private tree.
on() {
	local h=$1 r
	shift
	r=$(root "$h")
	echo "=== $(date +%s.%N) $*" >>"$TB_DIR/$h.log"
	"$TB_IP" netns exec "${TB_NS[$h]}" sh -c '
		r=$1; shift
		mount --bind "$r/etc/network" /etc/network &&
		mount --bind "$r/run" /run &&
		mount --bind "$r/usr/local" /usr/local && exec "$@"' \
	    on "$r" "$@" >>"$TB_DIR/$h.log" 2>&1 </dev/null
}

# pid HOST: the pid in HOST's pidfile, if that process is carpd.
pid() {
	local p
	p=$(cat "$(root "$1")/run/carpd.eth0.pid" 2>/dev/null) || return 1
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = carpd ] && echo "$p"
}

# gone HOST: no process left in HOST's namespace, no VIP on eth0.
gone() {
	[ -z "$("$TB_IP" netns pids "${TB_NS[$1]}")" ] && ! tb_has "$1" "$VIP"
}

for h in a b; do
	setup "$h"
done
ucarp_stanzas a 0 yes
ucarp_stanzas b 100 no
on a ifup eth0 || tb_fail "a: ifup eth0 failed"
on b ifup eth0 || tb_fail "b: ifup eth0 failed"
for h in a b; do
	TB_PID[$h]=$(pid "$h") || tb_fail "$h: no carpd in /run/carpd.eth0.pid"
	tr '\0' ' ' <"/proc/${TB_PID[$h]}/cmdline" >"$TB_DIR/$h.cmdline"
	grep -q -- '--passfile=/run/carpd.eth0.pass' "$TB_DIR/$h.cmdline" ||
		tb_fail "$h: carpd was not given the password in a file: $(cat "$TB_DIR/$h.cmdline")"
	grep -qF "$PASS" "$TB_DIR/$h.cmdline" &&
		tb_fail "$h: the password is in carpd's command line"
done
tb_log "a: $(cat "$TB_DIR/a.cmdline")"
# ucarp's hook: -i IFACE -s ADDRESS -B -z, then the stanza's settings;
# "ucarp-master no" (anything that begins with no, off, false or 0) is
# no -P.
for a in -i eth0 --srcip=192.0.2.1 -B --shutdown --vhid=7 --addr=$VIP \
    --advskew=0 --advbase=1 --preempt --upscript=/usr/local/share/carpd/vip-up \
    --downscript=/usr/local/share/carpd/vip-down; do
	grep -qw -- "$a" "$TB_DIR/a.cmdline" || tb_fail "a: carpd was not given $a"
done
grep -qw -- --preempt "$TB_DIR/b.cmdline" && tb_fail "b (ucarp-master no) was given --preempt"
grep -qw -- --advskew=100 "$TB_DIR/b.cmdline" || tb_fail "b: carpd was not given --advskew=100"
tb_wait_settled "$VIP" a 10 || tb_fail "a did not become the only holder"
grep -q 'eth0:ucarp' <("$TB_IP" -n "${TB_NS[a]}" -4 -o addr show dev eth0) ||
	tb_fail "a: the VIP is not eth0:ucarp's (ifup eth0:ucarp did not bring it up)"
tb_holds 1.5 tb_only_holder "$VIP" a || tb_fail "a did not stay the only holder"

tb_crash a
tb_wait_settled "$VIP" b 12 || tb_fail "b did not take over after a crashed"
tb_log "b took over"

# a reboots (an empty /run) and comes back from carp-* stanzas.
setup a
cat >"$(root a)/etc/network/interfaces" <<EOF
iface eth0 inet static
	address 192.0.2.1/24
	carp-vhid 7
	carp-addr $VIP
	carp-passfile $passfile
	carp-advskew 0
	carp-preempt yes
	carp-upscript $TB_DIR/a.up
	carp-downscript $TB_DIR/a.down
EOF
on a ifup eth0 || tb_fail "a: ifup eth0 (carp-* stanzas) failed"
TB_PID[a]=$(pid a) || tb_fail "a: no carpd after the second ifup"
tb_wait_settled "$VIP" a 12 || tb_fail "a (carp-preempt yes) did not take the VIP back"
tb_wait_event ' a up eth0 192.0.2.100 ' 2 || tb_fail "a's carp-upscript did not run"

t0=$(date +%s.%N)
on b ifdown eth0 || tb_fail "b: ifdown eth0 failed"
tb_until 5 gone b || tb_fail "b: ifdown left a process or the VIP: $("$TB_IP" netns pids "${TB_NS[b]}")"
tb_log "b (backup): ifdown took $(tb_elapsed "$t0" "$(date +%s.%N)") s"
t1=$(date +%s.%N)
on a ifdown eth0 || tb_fail "a: ifdown eth0 failed"
tb_log "a (master): ifdown took $(tb_elapsed "$t1" "$(date +%s.%N)") s"
tb_until 5 gone a || tb_fail "a: ifdown left a process or the VIP"
tb_wait_event ' a down eth0 192.0.2.100 ' 2 || tb_fail "a's carp-downscript did not run on ifdown"
for h in a b; do
	ls "$(root "$h")"/run/carpd.* >/dev/null 2>&1 &&
		tb_fail "$h: ifdown left $(ls "$(root "$h")"/run/carpd.*)"
done
if ls "$TB_DIR"/sanitizer.* >/dev/null 2>&1; then
	cat "$TB_DIR"/sanitizer.* >&2
	tb_fail "the sanitizers reported errors in carpd"
fi
took=$(tb_elapsed "$t0" "$(date +%s.%N)")
tb_pass "ucarp stanzas up, failover, carp-* stanzas preempt, both down in $took s"
