#!/usr/bin/env bash
# The ifupdown hook (ifupdown/carpd) against carpd's option table: its
# carp-* settings are carpd's options (those that make sense in a stanza),
# each one, with a value, gives a command line that carpd accepts; a
# misspelt carp-* option or a bad yes/no is refused, naming it.  The hook
# runs as ifupdown runs it (a clean environment, IFACE, MODE, IF_*), with
# a carpd that only checks its command line (--check), so nothing starts;
# as root, one check has the hook write /run/carpd.eth9.pass (eth9: no
# such interface), then removes it.  tests/netns/i_ifupdown.sh runs the
# real thing.
set -u

: "${CARPD:?CARPD must be the path of the carpd binary}"
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
hook=$top_srcdir/ifupdown/carpd

tmp=$(mktemp -d "${TMPDIR:-/tmp}/carpd-ifupdown.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# The options that the hook sets itself or that have no place in a stanza.
not_in_stanza=" interface daemonize pidfile config check dump help version "

"$CARPD" --help >"$tmp/help" || { echo "cli_ifupdown: carpd --help failed"; exit 99; }
sed -n -E 's/^  (-[A-Za-z], |    )--([a-z][a-z-]*)(=[A-Z]+)?( .*)?$/\2 \3/p' "$tmp/help" |
while read -r name arg; do
	[[ $not_in_stanza == *" $name "* ]] && continue
	if [ -n "$arg" ]; then echo "value $name"; else echo "flag $name"; fi
done | sort >"$tmp/want"
[ "$(wc -l <"$tmp/want")" -ge 20 ] || { echo "cli_ifupdown: no options in carpd --help"; exit 99; }

# The hook's lists: its two assignments, evaluated.
eval "$(sed -n '/^VALUE_OPTS="/,/"$/p; /^FLAG_OPTS="/p' "$hook")"
{
	for o in ${VALUE_OPTS:-}; do echo "value $o"; done
	for o in ${FLAG_OPTS:-}; do echo "flag $o"; done
} | sort >"$tmp/got"
if ! diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
	fail "carpd's options (-) and the hook's carp-* settings (+) differ:"
	sed -n '3,$p' "$tmp/diff" | grep '^[-+]'
fi

# A carpd that checks its command line and records it.
mkdir "$tmp/bin"
cat >"$tmp/bin/carpd" <<WRAP
#!/bin/sh
printf '%s\n' "\$*" >"$tmp/argv"
exec "$CARPD" --check "\$@"
WRAP
chmod +x "$tmp/bin/carpd"
echo "secret $$" >"$tmp/pass"
chmod 600 "$tmp/pass"

# hook VAR=VALUE...: run the hook for eth9 going up, as ifupdown does.
hook() {
	env -i PATH="$tmp/bin:/usr/sbin:/usr/bin:/sbin:/bin" IFACE=eth9 \
	    LOGICAL=eth9 MODE=start PHASE=post-up ADDRFAM=inet METHOD=static \
	    IF_ADDRESS=192.0.2.1 "$@" sh "$hook" >"$tmp/out" 2>&1
}

# A valid value for each carp-* setting.
declare -A val=(
	[vhid]=7 [addr]="192.0.2.100 192.0.2.101" [srcip]=192.0.2.1
	[mcast]=224.0.0.18 [passfile]="$tmp/pass" [advbase]=1 [advskew]=10
	[deadratio]=3 [upscript]=/bin/true [downscript]=/bin/true [xparam]=x
	[facility]=local0 [down-formula]=openbsd [mac]=virtual [garp-repeat]=2
	[garp-interval]=10 [garp-delay]=100 [garp-refresh]=0
	[script-timeout]=5 [control-socket]="$tmp/ctl.sock" [user]=nobody
	[script-user]=nobody [demote-group]=fw [demote-advskew]=add [sync-group]=fw
	[preempt-delay]=30 [startup-demote]=60 [track-script]="eth9,/usr/bin/true"
	[track-file]="eth9,$tmp/maint" [track-interval]=2 [track-timeout]=1
	[track-fall]=2 [track-rise]=2 [track-weight]=10
	[notify-fifo]="$tmp/notify.fifo"
	[script-user]=nobody [peer]="203.0.113.5 203.0.113.6" [realtime]=fifo:5
)
env=()
while read -r kind name; do
	var=IF_CARP_$(echo "$name" | tr 'a-z-' 'A-Z_')
	if [ "$kind" = flag ]; then
		env+=("$var=yes")
	elif [ "$name" = pass ]; then
		continue	# would write /run/carpd.eth9.pass; given passfile
	elif [ "$name" = carpnodes ]; then
		continue	# instead of vhid and advskew: on its own below
	elif [ -n "${val[$name]:-}" ]; then
		env+=("$var=${val[$name]}")
	else
		fail "carp-$name: the test has no value for it"
	fi
done <"$tmp/got"
if ! hook "${env[@]}" || ! grep -q 'configuration OK, 1 vhid' "$tmp/out"; then
	fail "every carp-* setting: carpd refused the hook's command line:"
	cat "$tmp/out" "$tmp/argv" 2>/dev/null
else
	for a in --addr=192.0.2.100 --addr=192.0.2.101 --preempt --down-formula=openbsd \
	    --peer=203.0.113.5 --peer=203.0.113.6 --peer-routed \
	    --pidfile=/run/carpd.eth9.pid -B; do
		grep -qw -- "$a" "$tmp/argv" || fail "the command line lacks $a: $(cat "$tmp/argv")"
	done
fi
rm -f "$tmp/argv"

# carp-carpnodes stands for carp-vhid: ARP balancing over two nodes.
if ! hook IF_CARP_CARPNODES=1:0,2:100 IF_CARP_ADDR=192.0.2.100/32 \
    IF_CARP_PASSFILE="$tmp/pass" || ! grep -q 'configuration OK, 2 vhids' "$tmp/out" ||
    ! grep -qw -- --carpnodes=1:0,2:100 "$tmp/argv"; then
	fail "carp-carpnodes: $(cat "$tmp/out" "$tmp/argv" 2>/dev/null)"
fi
rm -f "$tmp/argv"

if hook IF_CARP_VHID=7 IF_CARP_ADDR=192.0.2.100 IF_CARP_ADVKSEW=5 ||
    ! grep -q 'unknown option carp-advksew' "$tmp/out" || [ -e "$tmp/argv" ]; then
	fail "a misspelt carp-advksew was not refused by name: $(cat "$tmp/out")"
fi
if hook IF_CARP_VHID=7 IF_CARP_ADDR=192.0.2.100 IF_CARP_PREEMPT=maybe ||
    ! grep -q 'carp-preempt: invalid value "maybe": allowed yes or no' "$tmp/out" ||
    [ -e "$tmp/argv" ]; then
	fail "carp-preempt maybe was not refused: $(cat "$tmp/out")"
fi
if ! hook IF_CARP_VHID=300 IF_CARP_ADDR=192.0.2.100 IF_CARP_PASSFILE="$tmp/pass" &&
    grep -q -- '--vhid (-v)' "$tmp/out" && grep -q 'carpd did not start' "$tmp/out"; then
	:
else
	fail "carp-vhid 300: carpd's error and a failed hook expected: $(cat "$tmp/out")"
fi
# No carp-vhid, no ucarp-*: not ours, nothing run.
rm -f "$tmp/argv"
if ! hook IF_CARP_ADVSKEW=5 || [ -e "$tmp/argv" ]; then
	fail "a stanza without carp-vhid or ucarp-* started carpd"
fi

# While ucarp and its hook are installed, ucarp-* stanzas are theirs.
if [ -x /usr/sbin/ucarp ] && [ -e /etc/network/if-up.d/ucarp ]; then
	rm -f "$tmp/argv"
	if ! hook IF_UCARP_VID=3 IF_UCARP_VIP=192.0.2.100 IF_UCARP_PASSWORD=x ||
	    [ -e "$tmp/argv" ]; then
		fail "ucarp's hook is installed, but carpd's started carpd for ucarp-* options"
		rm -f /run/carpd.eth9.pass
	fi
fi
# A password with a backslash and spaces reaches the file as it is.
if [ "$(id -u)" -eq 0 ] && [ ! -e /run/carpd.eth9.pass ]; then
	rm -f "$tmp/argv"
	hook IF_CARP_VHID=3 IF_CARP_ADDR=192.0.2.100 IF_CARP_PASS='a\nb -n c' ||
		fail "carp-pass: the hook failed: $(cat "$tmp/out")"
	[ "$(cat /run/carpd.eth9.pass 2>/dev/null)" = 'a\nb -n c' ] ||
		fail "carp-pass: the file holds \"$(cat /run/carpd.eth9.pass 2>/dev/null)\""
	rm -f /run/carpd.eth9.pass
fi

echo "cli_ifupdown: $(wc -l <"$tmp/got") carp-* settings, $failures problems"
[ "$failures" -eq 0 ]
