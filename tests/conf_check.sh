#!/usr/bin/env bash
# carpd.conf against expected output: no root, no network.
#
#   tests/conf/good-*.conf   `carpd -T -c FILE` prints NAME.expected and
#                            exits 0 (stderr empty); `carpd -t -c FILE`
#                            prints "carpd: FILE: configuration OK, N vhids"
#                            and exits 0; the dump, read back, dumps the same
#                            (unless it holds an inline password, which the
#                            dump does not show)
#   tests/conf/err-*.conf    `carpd -t -c FILE` and `carpd -T -c FILE` exit 1,
#                            print nothing on stdout and exactly
#                            NAME.expected on stderr
#
# In both, @DIR@ stands for the work directory and @VERSION@ for carpd's
# version.  The files are copied there (carpd runs there and sees the
# relative name, so its messages say "NAME.conf:LINE:") with mode 600,
# or the mode of a "#@ mode MODE" line; a "#@ args ARGS" line adds ARGS
# to the command line.  The work directory has group.pass and other.pass
# (mode 600), exposed.pass (mode 644), writable.pass (mode 602), passdir/ (a directory), the
# scripts "vip up.sh" and vip-down.sh (mode 755), open.sh (mode 777),
# opendir/ (mode 777, holding ok.sh, mode 755) and link.sh (a symbolic
# link to vip-down.sh).  The files that tests/conf/*.conf include are
# in tests/conf/inc/, copied to inc/ in the work directory the same way.
set -u
export LC_ALL=C

top=${top_srcdir:-.}
confdir=$top/tests/conf
if [ -z "${CARPD:-}" ] || [ ! -x "$CARPD" ]; then
	echo "${0##*/}: CARPD is not set to the carpd binary" >&2
	exit 99
fi
case $CARPD in
/*) ;;
*) CARPD=$PWD/$CARPD ;;
esac
work=$(mktemp -d "${TMPDIR:-/tmp}/carpd-conf.$$.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT

version=$("$CARPD" -V | awk '{ print $2 }')
[ -n "$version" ] || { echo "${0##*/}: carpd -V printed no version" >&2; exit 99; }
(umask 077 && echo "group secret" >"$work/group.pass" &&
    echo "other secret" >"$work/other.pass") || exit 99
echo "exposed" >"$work/exposed.pass" && chmod 644 "$work/exposed.pass"
echo "writable" >"$work/writable.pass" && chmod 602 "$work/writable.pass"
mkdir "$work/passdir" || exit 99
for f in "vip up.sh" vip-down.sh open.sh; do
	printf '#!/bin/sh\nexit 0\n' >"$work/$f" && chmod 755 "$work/$f" || exit 99
done
chmod 777 "$work/open.sh"
mkdir -m 777 "$work/opendir" && cp "$work/vip-down.sh" "$work/opendir/ok.sh" &&
    chmod 777 "$work/opendir" || exit 99
ln -s vip-down.sh "$work/link.sh" || exit 99

fails=0
checks=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

ok() {
	checks=$((checks + 1))
}

subst() {
	sed -e "s|@DIR@|$work|g" -e "s|@VERSION@|$version|g" "$@"
}

# run NAME ARGS...: carpd ARGS in the work directory; $out, $err, $rc.
run() {
	local name=$1
	shift
	(cd "$work" && "$CARPD" "$@" >"$name.out" 2>"$name.err")
	rc=$?
	out=$work/$name.out
	err=$work/$name.err
}

# expect_rc WANT WHAT: $rc is WANT.
expect_rc() {
	if [ "$rc" -eq "$1" ]; then
		ok
	else
		fail "$2 exited $rc (expected $1)"
	fi
}

# same WHAT EXPECTED-FILE GOT-FILE
same() {
	if cmp -s "$2" "$3"; then
		ok
	else
		fail "$1"
		diff -u "$2" "$3" | sed 's/^/    /'
	fi
}

# The vhid blocks of a dump: "vhid N {" lines.
count_vhids() {	# a balance block is one vhid per node
	awk '/^vhid [0-9]* {$/ { n++ }
	    /^\tcarpnodes / { n += split($2, a, ",") } END { print n + 0 }' "$1"
}

check_good() {
	local f=$1 name base n args rtname
	name=${f##*/}
	base=${name%.conf}
	read -ra args <<<"$(sed -n 's/^#@ args //p' "$f")"

	run "$base.dump" -T -c "$name" "${args[@]}"
	if [ "$rc" -ne 0 ]; then
		fail "$name: carpd -T exited $rc (expected 0)"
		sed 's/^/    /' "$err"
		return
	fi
	ok
	[ -s "$err" ] && fail "$name: carpd -T wrote on stderr: $(cat "$err")"
	subst "$confdir/$base.expected" >"$work/$base.want"
	same "$name: carpd -T output" "$work/$base.want" "$out"

	n=$(count_vhids "$out")
	[ "$n" -eq 1 ] && s= || s=s
	run "$base.check" -t -c "$name" "${args[@]}"
	expect_rc 0 "$name: carpd -t"
	echo "carpd: $name: configuration OK, $n vhid$s" >"$work/$base.okline"
	same "$name: carpd -t output" "$work/$base.okline" "$out"
	[ -s "$err" ] && fail "$name: carpd -t wrote on stderr: $(cat "$err")"

	# The normalized form reads back to itself.
	grep -q '# pass: given inline' "$work/$base.dump.out" && return
	rtname=$base.rt.conf
	(umask 077 && cp "$work/$base.dump.out" "$work/$rtname")
	run "$base.rt" -T -c "$rtname"
	expect_rc 0 "$name: carpd -T of its dump ($(cat "$err"))"
	same "$name: dump of the dump" "$work/$base.dump.out" "$out"
}

check_err() {
	local f=$1 name base opt args
	name=${f##*/}
	base=${name%.conf}
	read -ra args <<<"$(sed -n 's/^#@ args //p' "$f")"
	subst "$confdir/$base.expected" >"$work/$base.want"
	for opt in -t -T; do
		run "$base$opt" "$opt" -c "$name" "${args[@]}"
		expect_rc 1 "$name: carpd $opt"
		[ -s "$out" ] && fail "$name: carpd $opt wrote on stdout: $(head -n 3 "$out")"
		same "$name: carpd $opt error" "$work/$base.want" "$err"
	done
}

# The included files: @DIR@ replaced, mode 600 or their "#@ mode".
while read -r f; do
	mkdir -p "$work/${f%/*}" &&
	    subst "$confdir/$f" >"$work/$f" &&
	    chmod "$(sed -n 's/^#@ mode //p' "$confdir/$f" | grep . || echo 600)" \
	    "$work/$f" || exit 99
done < <(cd "$confdir" && find inc -type f | sort)

for f in "$confdir"/good-*.conf "$confdir"/err-*.conf; do
	[ -e "$f" ] || { echo "${0##*/}: no files in $confdir" >&2; exit 99; }
	name=${f##*/}
	if [ ! -e "${f%.conf}.expected" ]; then
		echo "${0##*/}: ${f%.conf}.expected is missing" >&2
		exit 99
	fi
	subst "$f" >"$work/$name"
	chmod "$(sed -n 's/^#@ mode //p' "$f" | grep . || echo 600)" "$work/$name"
	case $name in
	good-*) check_good "$f" ;;
	err-*) check_err "$f" ;;
	esac
done

# A file that is not there: one line naming it (the hint about --vhid
# and --config is for a run without either).
run missing -t -c no-such.conf
expect_rc 1 "missing file: carpd -t"
echo "carpd: no-such.conf: cannot read: No such file or directory" >"$work/missing.want"
same "missing file: error" "$work/missing.want" "$err"

# A directory is not a configuration file.
run notfile -t -c passdir
expect_rc 1 "directory as file: carpd -t"
echo "carpd: passdir: cannot read: Is a directory" >"$work/notfile.want"
same "directory as file: error" "$work/notfile.want" "$err"

# As root: a file that another user owns is not read, even mode 600.
if [ "$(id -u)" -eq 0 ]; then
	cp "$work/good-minimal.conf" "$work/nobody.conf"
	chown 65534 "$work/nobody.conf"
	run nobody -t -c nobody.conf
	expect_rc 1 "file owned by uid 65534: carpd -t"
	echo "carpd: nobody.conf: not trusted: owned by uid 65534, not by root" >"$work/nobody.want"
	same "file owned by uid 65534: error" "$work/nobody.want" "$err"
fi

# Every input is shipped: listed in tests/conf.am.
if [ -f "$top/tests/conf.am" ]; then
	while read -r f; do
		if grep -q "tests/conf/$f\b" "$top/tests/conf.am"; then
			ok
		else
			fail "tests/conf/$f is not in tests/conf.am (EXTRA_DIST)"
		fi
	done < <(cd "$confdir" && find . -type f | sed 's|^\./||')
fi

if [ "$fails" -ne 0 ]; then
	echo "${0##*/}: $fails of $((checks + fails)) checks failed"
	exit 1
fi
echo "${0##*/}: PASS: $checks checks"
exit 0
