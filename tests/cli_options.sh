#!/usr/bin/env bash
# The command line of carpd: --help and --version, every range check, and
# the errors for missing or conflicting options.  An error must be one
# line on stderr that names the option and says what is allowed, with
# exit status 1.  Good command lines must get past option parsing: with
# --check they are accepted, and with a nonexistent interface the daemon
# runs and waits for it, naming it.  Needs no root and no network.
set -u

: "${CARPD:?CARPD must be the path of the carpd binary}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/carpd-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

failures=0
checks=0
IF=nosuchif0	# an interface that does not exist: nothing is ever opened

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# run ARGS...: run carpd with a time limit; sets rc, out and err.
run() {
	timeout -k 2 10 "$CARPD" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

show() {
	echo "      command: carpd $*"
	echo "      exit status: $rc"
	[ -n "$out" ] && printf '      stdout: %s\n' "$out" | head -n 5
	[ -n "$err" ] && printf '      stderr: %s\n' "$err" | head -n 5
	return 0
}

# error "TEXT1|TEXT2|..." ARGS...: carpd must exit 1 with one line on
# stderr, "carpd: ...", containing every TEXT (fixed strings), and print
# nothing on stdout.
error() {
	local want=$1 ok=1 t
	shift
	checks=$((checks + 1))
	run "$@"
	if [ "$rc" -ne 1 ]; then
		fail "exit status $rc, not 1"
		ok=0
	elif [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ] || [[ $err != "carpd: "* ]]; then
		fail "the error is not one line starting with \"carpd: \""
		ok=0
	elif [ -n "$out" ]; then
		fail "an error printed on stdout"
		ok=0
	else
		IFS='|' read -r -a texts <<<"$want"
		for t in "${texts[@]}"; do
			if [[ $err != *"$t"* ]]; then
				fail "the error does not say \"$t\""
				ok=0
			fi
		done
	fi
	[ $ok = 1 ] || show "$@"
}

# accepted ARGS...: with --check, a good command line is valid (exit 0).
accepted() {
	checks=$((checks + 1))
	run --check "$@"
	if [ "$rc" -ne 0 ] || [[ $out != *"configuration OK, 1 vhid"* ]]; then
		fail "a good command line is refused"
		show --check "$@"
	fi
}

# ---- help and version ----

checks=$((checks + 1))
run --help
if [ "$rc" -ne 0 ] || [[ $out != "Usage: carpd"* ]] || [ -n "$err" ]; then
	fail "--help"; show --help
fi
run -h
if [ "$rc" -ne 0 ] || [[ $out != "Usage: carpd"* ]]; then
	fail "-h"; show -h
fi
for opt in --version -V; do
	checks=$((checks + 1))
	run $opt
	if [ "$rc" -ne 0 ] || ! [[ $out =~ ^carpd\ [0-9]+\.[0-9]+ ]] || [ -n "$err" ]; then
		fail "$opt"; show $opt
	fi
done
# --help wins over errors that come later, as in ucarp.
checks=$((checks + 1))
run --help --vhid=0
[ "$rc" -eq 0 ] || { fail "--help before a bad value"; show --help --vhid=0; }

# A valid vhid for the checks of one option at a time.
printf 'secret\n' >"$tmp/pass"
chmod 600 "$tmp/pass"
base=(-i "$IF" -o "$tmp/pass" -a 192.0.2.100)

# ---- numeric ranges ----

error '--vhid (-v)|"0"|1 to 255' "${base[@]}" -v 0
error '--vhid (-v)|"256"|1 to 255' "${base[@]}" -v 256
error '--vhid (-v)|"256"|1 to 255' "${base[@]}" --vhid=256
error '--vhid (-v)|"-1"|1 to 255' "${base[@]}" -v -1
error '--vhid (-v)|"1x"|1 to 255' "${base[@]}" -v 1x
error '--vhid (-v)|""|1 to 255' "${base[@]}" --vhid=
error '--vhid (-v)|"0x10"|1 to 255' "${base[@]}" -v 0x10
error '--vhid (-v)|1 to 255' "${base[@]}" -v 99999999999999999999
error '--advskew (-k)|"255"|0 to 254' "${base[@]}" -v 1 -k 255
error '--advskew (-k)|"300"|0 to 254' "${base[@]}" -v 1 --advskew=300
error '--advbase (-b)|"256"|0 to 255' "${base[@]}" -v 1 -b 256
error '--advbase (-b)|"one"|0 to 255' "${base[@]}" -v 1 --advbase one
error '--deadratio (-r)|"0"|1 to 255' "${base[@]}" -v 1 -r 0
error '--deadratio (-r)|"256"|1 to 255' "${base[@]}" -v 1 --deadratio=256
error '--script-timeout|"0"|1 to 3600' "${base[@]}" -v 1 --script-timeout=0
error '--script-timeout|"3601"|1 to 3600' "${base[@]}" -v 1 --script-timeout 3601
error '--garp-repeat|"0"|1 to 100' "${base[@]}" -v 1 --garp-repeat=0
error '--garp-repeat|"101"|1 to 100' "${base[@]}" -v 1 --garp-repeat=101
error '--garp-interval|"10001"|0 to 10000' "${base[@]}" -v 1 --garp-interval=10001
error '--garp-delay|"3600001"|0 to 3600000' "${base[@]}" -v 1 --garp-delay=3600001
error '--garp-refresh|"86401"|0 to 86400' "${base[@]}" -v 1 --garp-refresh=86401
error '--advbase (-b) 0 needs --advskew (-k)|1 to 254' "${base[@]}" -v 1 -b 0
error '--advbase (-b) 0 needs --advskew (-k)|1 to 254' "${base[@]}" -v 1 -b 0 -k 0

# ---- addresses ----

error '--addr (-a)|"192.0.2"|allowed' -i $IF -o "$tmp/pass" -v 1 -a 192.0.2
error '--addr (-a)|"vip.example"' -i $IF -o "$tmp/pass" -v 1 --addr=vip.example
error '--addr (-a)|"192.0.2.100/33"|1 to 32' -i $IF -o "$tmp/pass" -v 1 -a 192.0.2.100/33
error '--addr (-a)|"192.0.2.100/0"|1 to 32' -i $IF -o "$tmp/pass" -v 1 -a 192.0.2.100/0
error '--addr (-a)|192.0.2.100|twice' "${base[@]}" -v 1 -a 192.0.2.100
error '--srcip (-s)|"192.0.2.256"|IPv4 or IPv6 address' "${base[@]}" -v 1 -s 192.0.2.256
error '--srcip (-s)|2001:db8::1|IPv6 address|only IPv4 addresses' "${base[@]}" -v 1 --srcip=2001:db8::1
error '--srcip (-s)|"ff02::1"|unicast' "${base[@]}" -v 1 --srcip=ff02::1
# IPv6 (doc/protocol.md, IPv6): the family of each setting must fit.
v6=(-i $IF -o "$tmp/pass" -v 1 -a 2001:db8::100/64)
error '--addr (-a)|"2001:db8::100/129"|1 to 128' -i $IF -o "$tmp/pass" -v 1 -a 2001:db8::100/129
error '--addr (-a)|"ff02::12"|multicast' -i $IF -o "$tmp/pass" -v 1 -a ff02::12
error '--addr (-a)|"::"|unspecified' -i $IF -o "$tmp/pass" -v 1 -a ::
error '--addr (-a)|"::ffff:192.0.2.1"|IPv4-mapped' -i $IF -o "$tmp/pass" -v 1 -a ::ffff:192.0.2.1
error '--addr (-a)|"224.0.0.5"|multicast' -i $IF -o "$tmp/pass" -v 1 -a 224.0.0.5
error '--addr (-a)|"0.0.0.0/24"|unspecified' -i $IF -o "$tmp/pass" -v 1 -a 0.0.0.0/24
error '--addr (-a)|2001:db8::100|twice' "${v6[@]}" -a 2001:db8::100
error '--srcip (-s)|192.0.2.1|IPv4 address|only IPv6 addresses' "${v6[@]}" -s 192.0.2.1
error '--mcast (-m)|239.1.1.1|IPv4 group|only IPv6 addresses|ff02::12' "${v6[@]}" -m 239.1.1.1
error '--nomcast (-M)|only IPv6 addresses|no broadcast' "${v6[@]}" -M
error '--mcast (-m)|ff02::99|IPv6 group|only IPv4 addresses' "${base[@]}" -v 1 -m ff02::99
error '--mcast (-m)|"2001:db8::1"|multicast' "${v6[@]}" -m 2001:db8::1
error '--mcast (-m)|"224.0.0"|IPv4' "${base[@]}" -v 1 -m 224.0.0
error '--mcast (-m)|"192.0.2.18"|multicast|224.0.0.0 to 239.255.255.255' "${base[@]}" -v 1 -m 192.0.2.18
error '--mcast (-m)|"240.0.0.18"|multicast' "${base[@]}" -v 1 --mcast=240.0.0.18
error '--peer|"224.0.0.18"|unicast|multicast' "${base[@]}" -v 1 --peer=224.0.0.18
error '--peer|"255.255.255.255"|unicast' "${base[@]}" -v 1 --peer=255.255.255.255
error '--peer|"127.0.0.1"|loopback' "${base[@]}" -v 1 --peer=127.0.0.1
error '--peer 2001:db8::2|IPv6 address|only IPv4 addresses' "${base[@]}" -v 1 --peer=2001:db8::2
error '--peer|"ff02::12"|unicast IPv6|multicast' "${base[@]}" -v 1 --peer=ff02::12
error '--peer 203.0.113.2|IPv4 address|only IPv6 addresses' "${v6[@]}" --peer=203.0.113.2
error '--peer|"fe80::2"|must be all link-local' "${v6[@]}" --peer=fe80::2 --peer 2001:db8::3
error 'peer 2001:db8::100|virtual addresses' "${v6[@]}" --peer=2001:db8::100
error 'only IPv4 peers|of each family' "${base[@]}" -v 1 -a 2001:db8::100 --peer=203.0.113.2
error '--peer|"peer.example"|IPv4 or IPv6 address' "${base[@]}" -v 1 --peer=peer.example
error '--peer|203.0.113.2|twice' "${base[@]}" -v 1 --peer=203.0.113.2 --peer 203.0.113.2
error 'peer 203.0.113.9|own source address' "${base[@]}" -v 1 -s 203.0.113.9 --peer=203.0.113.9
error 'peer 192.0.2.100|virtual addresses' "${base[@]}" -v 1 --peer=192.0.2.100
peers=()
for i in $(seq 1 17); do peers+=(--peer "203.0.113.$i"); done
error '--peer|at most 16' "${base[@]}" -v 1 "${peers[@]}"
many=()
for i in $(seq 1 33); do many+=(-a "198.51.100.$i"); done
error '--addr (-a)|at most 32' -i $IF -o "$tmp/pass" -v 1 "${many[@]}"

# ---- names ----

error '--facility (-f)|"nope"|daemon|local0 to local7' "${base[@]}" -v 1 -f nope
error '--down-formula|"bsd"|auto, ucarp or openbsd' "${base[@]}" -v 1 --down-formula=bsd
error '--mac|"blue"|real or virtual' "${base[@]}" -v 1 --mac=blue
error '--sync-group|"fw/1"|a group name of 1 to 15' "${base[@]}" -v 1 --sync-group=fw/1
error '--sync-group|""|a group name of 1 to 15' "${base[@]}" -v 1 --sync-group=
error '--sync-group|"abcdefghijklmnop"|a group name of 1 to 15' "${base[@]}" -v 1 --sync-group abcdefghijklmnop
error '--sync-group|"dmz"|in sync group fw already|one sync group at most' "${base[@]}" -v 1 --sync-group=fw --sync-group=dmz
error '--interface (-i)|"abcdefghijklmnop"|1 to 15' -o "$tmp/pass" -a 192.0.2.100 -v 1 -i abcdefghijklmnop
error '--interface (-i)|""' -o "$tmp/pass" -a 192.0.2.100 -v 1 --interface=

error '--user|"no-such-user-carpd"|existing user' "${base[@]}" -v 1 --user=no-such-user-carpd
error '--script-user|"no-such-user-carpd"|existing user' "${base[@]}" -v 1 --script-user no-such-user-carpd

# ---- unknown options, missing values, stray arguments ----

error 'unknown option --bogus|carpd --help' "${base[@]}" -v 1 --bogus
error 'unknown option -Q|carpd --help' "${base[@]}" -v 1 -Q
error '--vhid (-v) needs a value' "${base[@]}" -v
error '--vhid (-v) needs a value' "${base[@]}" --vhid
error '--down-formula needs a value' "${base[@]}" -v 1 --down-formula
error '--passfile (-o) needs a value' -i $IF -a 192.0.2.100 -v 1 -o
error 'unexpected argument "extra"' "${base[@]}" -v 1 extra

# ---- required options and conflicts ----

error '--vhid (-v) is required|1 to 255' "${base[@]}"
error '--vhid (-v) is required' -i $IF -p secret -a 192.0.2.100
error '--addr (-a) is required' -i $IF -o "$tmp/pass" -v 1
error 'password is required|--passfile (-o)|--pass (-p)' -i $IF -a 192.0.2.100 -v 1
error '--pass (-p)|--passfile (-o)|not both' "${base[@]}" -v 1 -p secret
error '--pass (-p)|--passfile (-o)|not both' -i $IF -a 192.0.2.100 -v 1 -p secret -o "$tmp/pass"
error 'not both' -v 1 -c "$tmp/carpd.conf"

# ---- passwords ----

pw19=abcdefghijklmnopqrs
pw20=abcdefghijklmnopqrst
error '--pass (-p)|20 characters|1 to 19' -i $IF -a 192.0.2.100 -v 1 -p $pw20
error '--pass (-p)|0 characters|1 to 19' -i $IF -a 192.0.2.100 -v 1 --pass=
printf '%s\n' $pw20 >"$tmp/pass20"
chmod 600 "$tmp/pass20"
error '--passfile (-o)|20 characters|1 to 19' -i $IF -a 192.0.2.100 -v 1 -o "$tmp/pass20"
: >"$tmp/empty"
chmod 600 "$tmp/empty"
error '--passfile (-o)|0 characters|1 to 19' -i $IF -a 192.0.2.100 -v 1 -o "$tmp/empty"
error "--passfile (-o)|$tmp/missing|cannot read" -i $IF -a 192.0.2.100 -v 1 -o "$tmp/missing"
error "--passfile (-o)|$tmp|cannot read" -i $IF -a 192.0.2.100 -v 1 -o "$tmp"
if [ "$(id -u)" -ne 0 ]; then
	printf 'secret\n' >"$tmp/noread"
	chmod 000 "$tmp/noread"
	error "--passfile (-o)|$tmp/noread|cannot read" -i $IF -a 192.0.2.100 -v 1 -o "$tmp/noread"
fi

# ---- configuration file ----

checks=$((checks + 1))
run -c "$tmp/missing.conf"
if [ "$rc" -ne 1 ] || [[ $err != "carpd: $tmp/missing.conf"*"cannot read"* ]]; then
	fail "a missing configuration file"
	show -c "$tmp/missing.conf"
fi
printf 'vhid 1 {\n\tinterface %s\n\tadvskew 300\n}\n' $IF >"$tmp/bad.conf"
checks=$((checks + 1))
run -t -c "$tmp/bad.conf"
if [ "$rc" -ne 1 ] || [[ $err != *"$tmp/bad.conf:3:"*"advskew"*"0 to 254"* ]]; then
	fail "a configuration file error does not name the file, line and range"
	show -t -c "$tmp/bad.conf"
fi

# A file whose size says otherwise than its reads is refused, not parsed
# in part: sysfs files claim 4096 bytes and hold a few, procfs files claim
# 0 and hold more.
for f in /sys/class/net/lo/mtu /proc/version; do
	[ -r "$f" ] || continue
	checks=$((checks + 1))
	run -t -c "$f"
	if [ "$rc" -ne 1 ] || [[ $err != "carpd: $f: "*"bytes"*"being rewritten"* ]]; then
		fail "a file read short or long ($f) is not refused"
		show -t -c "$f"
	fi
done

# Global options on the command line override the file's, all of them,
# the last one winning: none is dropped (there was a limit of 16).
printf 'script-timeout 7\nvhid 1 {\n\tinterface %s\n\taddr 192.0.2.100\n\tpassfile %s\n}\n' \
    $IF "$tmp/pass" >"$tmp/globals.conf"
globals=()
for i in $(seq 1 40); do
	globals+=("--script-timeout=$i" -D -f "local$((i % 8))")
done
checks=$((checks + 1))
run -T -c "$tmp/globals.conf" "${globals[@]}" --script-timeout=42 -f local5
if [ "$rc" -ne 0 ] || [[ $out != *"script-timeout 42"* ]] ||
    [[ $out != *"facility local5"* ]] || [[ $out != *"debug yes"* ]]; then
	fail "global options beyond the first ones are dropped"
	show -T -c "$tmp/globals.conf" "(121 globals)" --script-timeout=42 -f local5
fi

# ---- good command lines pass the option checks ----

accepted "${base[@]}" -v 1
accepted "${base[@]}" -v 255 -k 254 -b 255 -r 255
accepted "${base[@]}" --vhid=1 --advskew=0 --advbase=0 --advskew=1 --deadratio=1
accepted "${base[@]}" -v 1 --script-timeout=1
accepted "${base[@]}" -v 1 --script-timeout=3600
accepted "${base[@]}" -v 1 -s 192.0.2.1 -m 239.255.255.255 -M -P -n -z -S -D
accepted "${base[@]}" -v 1 -m 224.0.0.0 -f local7
accepted "${base[@]}" -v 1 -f LOCAL0
accepted "${base[@]}" -v 1 -f daemon --down-formula=auto
accepted "${base[@]}" -v 1 --down-formula ucarp
accepted "${base[@]}" -v 1 --down-formula=openbsd
accepted "${base[@]}" -v 1 --mac=virtual
accepted "${base[@]}" -v 1 --mac real
accepted "${base[@]}" -v 1 --sync-group=fw --sync-group fw
accepted "${base[@]}" -v 1 --sync-group=fw.outside-2_a --demote-group=fw
accepted "${base[@]}" -v 1 -x "an extra argument" -u /bin/true -d /bin/true
accepted "${base[@]}" -v 1 -a 192.0.2.101/24 -a 192.0.2.102/32 -a 192.0.2.103/1
accepted "${base[@]}" -v 1 --garp-repeat=1 --garp-interval=0 --garp-delay=0 --garp-refresh=0
accepted "${base[@]}" -v 1 --garp-repeat=100 --garp-interval=10000 --garp-delay=3600000 --garp-refresh=86400
accepted "${base[@]}" -v 1 --pidfile="$tmp/pid" --control-socket="$tmp/sock"
accepted "${base[@]}" -v 1 --user=root --script-user=root
accepted "${base[@]}" -v 1 --user=nobody
accepted -i $IF -a 192.0.2.100 -v 1 -p $pw19
printf '%s\r\n' $pw19 >"$tmp/pass19"
chmod 600 "$tmp/pass19"
accepted -i $IF -a 192.0.2.100 -v 1 -o "$tmp/pass19"
accepted "${base[@]}" -v 1 "${many[@]:4}"	# 1 + 31 = 32 addresses
accepted -i abcdefghijklmno -o "$tmp/pass" -a 192.0.2.100 -v 1

# --dump prints what --check accepted; the password stays out of it.
checks=$((checks + 1))
run -T -i $IF -p $pw19 -a 192.0.2.100/24 -v 7 -k 20 -x xp
if [ "$rc" -ne 0 ] || [[ $out != *"vhid 7"* ]] || [[ $out != *"192.0.2.100/24"* ]] ||
    [[ $out != *"advskew 20"* ]] || [[ $out == *"$pw19"* ]]; then
	fail "--dump"
	show -T -i $IF -p $pw19 -a 192.0.2.100/24 -v 7 -k 20 -x xp
fi

# Without --check the daemon starts; $IF does not exist, so it warns,
# naming it, and waits for it: the options themselves were fine.
# run_waiting ARGS...: run carpd until it says it waits for $IF (at most
# 30 s, for a loaded machine), then SIGTERM it; sets rc (its exit status), out and err.
run_waiting() {
	local pid i
	# Emptied first: until the child has opened them the loop below
	# would read the last run's "waits for it", and a SIGTERM that
	# reaches the child before its exec makes it run this script's EXIT
	# trap (bash), which removes $tmp.
	: >"$tmp/out"
	: >"$tmp/err"
	"$CARPD" "$@" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	for ((i = 0; i < 600; i++)); do
		grep -q "waits for it" "$tmp/err" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# waits_for_interface ARGS...: carpd warns that $IF does not exist and
# that the vhid waits for it, keeps running, and exits 0 on SIGTERM.
waits_for_interface() {
	checks=$((checks + 1))
	run_waiting "$@"
	if [[ $err != *"$IF: no such interface; vhid "*" waits for it"* ]]; then
		fail "a good command line with interface $IF: no warning that it waits for $IF"
		show "$@"
	elif [ "$rc" -ne 0 ]; then
		fail "a good command line with interface $IF: exit status $rc on SIGTERM, not 0"
		show "$@"
	elif [[ $err == *"invalid value"* ]] || [[ $err == *"is required"* ]] ||
	    [[ $err == *"carpd --help"* ]]; then
		fail "a good command line fails in option parsing"
		show "$@"
	fi
}
waits_for_interface "${base[@]}" -v 1
waits_for_interface "${base[@]}" -v 9 -k 100 -b 2 -r 4 -P -n -z -x xp --script-timeout=5
waits_for_interface "${base[@]}" -v 1 -b 0 -k 64 --down-formula=openbsd -m 224.0.0.18 -s 192.0.2.1
waits_for_interface -i $IF -a 192.0.2.100 -a 192.0.2.101/24 -v 1 -p $pw19

# A sync group of one vhid (the command line has one) moves nothing: said.
checks=$((checks + 1))
run_waiting "${base[@]}" -v 3 --sync-group=fw
if [[ $err != *"sync group fw has vhid 3 on $IF only: it moves nothing"* ]]; then
	fail "no warning about a sync group of one vhid"
	show "${base[@]}" -v 3 --sync-group=fw
fi

# --pass works, with a warning that it shows in the process list.
checks=$((checks + 1))
run_waiting -i $IF -a 192.0.2.100 -v 1 -p secret
if [[ $err != *"--pass"*"process list"* ]] || [[ $err != *"--passfile"* ]]; then
	fail "no warning about --pass in the process list"
	show -i $IF -a 192.0.2.100 -v 1 -p secret
fi
# A password file that others may read is named in a warning.
chmod 644 "$tmp/pass"
checks=$((checks + 1))
run_waiting "${base[@]}" -v 1
if [[ $err != *"$tmp/pass"*"readable by other users"* ]]; then
	fail "no warning about a password file readable by others"
	show "${base[@]}" -v 1
fi

# Scripts root would run: refused when others may change them.
printf '#!/bin/sh\nexit 0\n' >"$tmp/open.sh"
chmod 777 "$tmp/open.sh"
error "--upscript (-u)|\"$tmp/open.sh\"|not trusted: writable by group or others (mode 0777)" \
    "${base[@]}" -v 1 -u "$tmp/open.sh"
ln -s /bin/true "$tmp/link.sh"
error "--downscript (-d)|\"$tmp/link.sh\"|not trusted: a symbolic link" \
    "${base[@]}" -v 1 -d "$tmp/link.sh"
mkdir "$tmp/sub" && cp "$tmp/open.sh" "$tmp/sub/ok.sh" && chmod 755 "$tmp/sub/ok.sh"
chmod 1777 "$tmp/sub"
if [ "$(id -u)" -eq 0 ]; then	# sticky and root's, as /tmp
	accepted "${base[@]}" -v 1 -u "$tmp/sub/ok.sh"
fi
chmod 777 "$tmp/sub"
error "--upscript (-u)|directory $tmp/sub is writable by group or others (mode 0777)" \
    "${base[@]}" -v 1 -u "$tmp/sub/ok.sh"
# A missing one is only a warning: it is checked again when it runs.
checks=$((checks + 1))
run --check "${base[@]}" -v 1 -d "$tmp/none.sh"
if [ "$rc" -ne 0 ] || [[ $err != *"downscript \"$tmp/none.sh\": No such file or directory; it is checked again each time it runs"* ]]; then
	fail "a missing down script is not a warning"
	show --check "${base[@]}" -v 1 -d "$tmp/none.sh"
fi

# The build under test carries the test hook only when configured with
# --enable-test-hooks (config.h says so); a release build must not.
checks=$((checks + 1))
if ! grep -q '^#define CARPD_TEST_HOOKS' "${top_builddir:-.}/config.h" 2>/dev/null &&
    grep -qa CARPD_TEST_CHILD "$CARPD"; then
	fail "$CARPD has the test hook (CARPD_TEST_CHILD) without --enable-test-hooks"
fi

echo "cli_options: $checks checks, $failures failed"
[ "$failures" -eq 0 ]
