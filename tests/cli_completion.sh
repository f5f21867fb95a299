#!/usr/bin/env bash
# The bash completion of completion/carpd against the programs: every
# option of "carpd --help" (with "=" where it takes a value) and no other,
# its short options, a value completion for each option that takes one,
# the facilities carpd accepts, and carpctl's commands and options from
# "carpctl --help".  Needs no root and no network.
set -u

: "${CARPD:?CARPD must be the path of the carpd binary}"
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
CARPCTL=${CARPCTL:-$(dirname "$CARPD")/carpctl}
comp=$top_srcdir/completion/carpd

tmp=$(mktemp -d "${TMPDIR:-/tmp}/carpd-comp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# shellcheck source=completion/carpd
. "$comp" || { echo "cli_completion: $comp does not load"; exit 99; }

# complete WORD...: what bash offers for the last WORD, sorted, one a line.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	"_$1"
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort
}

# same WHAT EXPECTED-FILE ACTUAL-FILE
same() {
	if ! diff -u "$2" "$3" >"$tmp/diff"; then
		fail "$1: the programs (-) and the completion (+) differ:"
		sed -n '3,$p' "$tmp/diff" | grep '^[-+]'
	fi
}

"$CARPD" --help >"$tmp/help" || { echo "cli_completion: carpd --help failed"; exit 99; }
# "  -k, --advskew=SKEW  help" or "      --pidfile=FILE  help"
sed -n -E 's/^  (-([A-Za-z]), |    )--([a-z][a-z-]*)(=[A-Z]+)?( .*)?$/\2 \3 \4/p' \
    "$tmp/help" >"$tmp/opts"
[ "$(wc -l <"$tmp/opts")" -ge 20 ] || { echo "cli_completion: no options in carpd --help"; exit 99; }

# ---- carpd: the option names ----
while read -r a b c; do
	if [ ${#a} -eq 1 ]; then long=$b arg=${c:-}; else long=$a arg=${b:-}; fi
	echo "--$long${arg:+=}"
done <"$tmp/opts" | sort >"$tmp/want.long"
complete_words carpd -- >"$tmp/got.long"
same "carpd's long options" "$tmp/want.long" "$tmp/got.long"

awk 'length($1) == 1 { print "-" $1 }' "$tmp/opts" | sort >"$tmp/want.short"
complete_words carpd - | grep -v '^--' >"$tmp/got.short"
same "carpd's short options" "$tmp/want.short" "$tmp/got.short"
complete_words carpd --adv >"$tmp/got"
printf '%s\n' --advbase= --advskew= >"$tmp/want"
same "carpd --adv<TAB>" "$tmp/want" "$tmp/got"

# ---- carpd: a value completion for each option that takes a value ----
while read -r a b c; do
	if [ ${#a} -eq 1 ]; then names="-$a --$b" arg=${c:-}; else names="--$a" arg=${b:-}; fi
	for o in $names; do
		if [ -n "$arg" ]; then
			_carpd_value "$o" "" || fail "$o takes a value; the completion does not know it"
		else
			_carpd_value "$o" "" && fail "$o takes no value; the completion completes one"
		fi
	done
done <"$tmp/opts"
complete_words carpd -i "" | grep -qx lo || fail "carpd -i <TAB> does not offer lo"
complete_words carpd --interface=l | grep -qx lo || fail "carpd --interface=l<TAB> does not offer lo"
complete_words carpd --user r | grep -qx root || fail "carpd --user r<TAB> does not offer root"
complete_words carpd -c "$top_srcdir/READ" | grep -qx "$top_srcdir/README" ||
	fail "carpd -c FILE<TAB> does not complete file names"

# The facilities: those carpd's error message allows.
"$CARPD" -f bogus 2>&1 | sed -n 's/.*allowed //p' | tr -d ',' |
    sed 's/local0 to local7/local0 local1 local2 local3 local4 local5 local6 local7/' |
    tr ' ' '\n' | sed '/^$/d' | sort >"$tmp/want"
[ -s "$tmp/want" ] || fail "carpd -f bogus did not list the facilities"
complete_words carpd -f "" >"$tmp/got"
same "carpd --facility values" "$tmp/want" "$tmp/got"
# The down formulas: those --help names ("auto, ucarp or openbsd").
sed -n 's/.*--down-formula=NAME *[^:]*: \(.*\) (default.*/\1/p' "$tmp/help" |
    sed 's/,//g; s/ or / /' | tr ' ' '\n' | sort >"$tmp/want"
[ -s "$tmp/want" ] || fail "carpd --help does not list the down formulas"
complete_words carpd --down-formula "" >"$tmp/got"
same "carpd --down-formula values" "$tmp/want" "$tmp/got"

# ---- carpctl ----
"$CARPCTL" --help >"$tmp/ctlhelp" || { echo "cli_completion: carpctl --help failed"; exit 99; }
awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 } on { print $1 }' "$tmp/ctlhelp" |
    sort >"$tmp/want"
[ -s "$tmp/want" ] || fail "no commands in carpctl --help"
complete_words carpctl "" >"$tmp/got"
same "carpctl's commands" "$tmp/want" "$tmp/got"
sed -n -E 's/^  -([A-Za-z]), --([a-z-]+)(=[A-Z]+)?.*/-\1 --\2\3/p' "$tmp/ctlhelp" |
    sed -E 's/=[A-Z]+$/=/' | tr ' ' '\n' | sort >"$tmp/want"
complete_words carpctl - >"$tmp/got"
same "carpctl's options" "$tmp/want" "$tmp/got"
# The arguments of each command that --help shows in brackets.
for c in status peers; do
	grep -oE "^  $c \\[--[a-z]+\\]" "$tmp/ctlhelp" | grep -oE -- '--[a-z]+' >"$tmp/want"
	[ -s "$tmp/want" ] || fail "carpctl --help shows no option of $c"
	complete_words carpctl "$c" "" >"$tmp/got"
	same "carpctl $c's options" "$tmp/want" "$tmp/got"
done
complete_words carpctl metrics "" >"$tmp/got"
[ -s "$tmp/got" ] && fail "carpctl metrics <TAB> offers $(tr '\n' ' ' <"$tmp/got")"
complete_words carpctl -s /run/x.sock st >"$tmp/got"
echo status >"$tmp/want"
same "carpctl -s SOCKET st<TAB>" "$tmp/want" "$tmp/got"
complete_words carpctl backup 7 "" | grep -qx lo || fail "carpctl backup 7 <TAB> does not offer lo"

echo "cli_completion: $(wc -l <"$tmp/want.long") options of carpd, $failures problems"
[ "$failures" -eq 0 ]
