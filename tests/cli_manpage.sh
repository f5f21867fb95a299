#!/usr/bin/env bash
# carpd(8) and carpd --help must agree: the same short and long options
# in OPTIONS, each in the SYNOPSIS, a value where --help shows one, the
# same ranges; and the pages in man/ must be clean under
# mandoc -Tlint -W warning.
set -u

: "${CARPD:?CARPD must be the path of the carpd binary}"
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
man=$top_srcdir/man/carpd.8

if ! command -v mandoc >/dev/null; then
	echo "cli_manpage: mandoc is not installed (Debian: mandoc)"
	exit 77
fi
[ -r "$man" ] || { echo "cli_manpage: $man is missing"; exit 99; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/carpd-man.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

"$CARPD" --help >"$tmp/help" || { echo "cli_manpage: carpd --help failed"; exit 99; }

# ---- the options of --help, one per line: "-k --advskew arg" ----
# Lines look like "  -k, --advskew=SKEW   help" or "      --pidfile=FILE  help";
# each becomes "<short or -> <long> <arg|noarg>".
sed -n -E 's/^  (-([A-Za-z]), |    )--([a-z][a-z-]*)(=[A-Z]+)?( .*)?$/\2|\3|\4/p' "$tmp/help" |
	awk -F'|' '{ print ($1 == "" ? "-" : $1), $2, ($3 == "" ? "noarg" : "arg") }' |
	sort -u >"$tmp/help.opts"
if [ "$(wc -l <"$tmp/help.opts")" -lt 20 ]; then
	echo "cli_manpage: could not read the options from carpd --help:"
	cat "$tmp/help"
	exit 99
fi

# ---- the options of the page: the .It lines of OPTIONS ----
# ".It Fl k Ar skew , Fl -advskew Ns = Ns Ar skew" or ".It Fl -pidfile Ns = Ns Ar file"
awk '
	/^\.Sh / { in_opts = ($2 == "OPTIONS"); next }
	in_opts && /^\.Bl / { depth++ }
	in_opts && /^\.El/ { depth-- }
	in_opts && depth == 1 && /^\.It Fl / {
		short = "-"; long = ""; arg = ($0 ~ / Ar /) ? "arg" : "noarg"
		n = split($0, w, " ")
		for (i = 1; i < n; i++) {
			if (w[i] != "Fl") continue
			if (w[i + 1] ~ /^-[a-z]/) long = substr(w[i + 1], 2)
			else if (w[i + 1] ~ /^[A-Za-z]$/) short = w[i + 1]
		}
		print short, long, arg
	}' "$man" | sort -u >"$tmp/man.opts"

if ! diff -u "$tmp/help.opts" "$tmp/man.opts" >"$tmp/diff"; then
	fail "the options of carpd --help (-) and of OPTIONS in carpd(8) (+) differ:"
	sed -n '3,$p' "$tmp/diff" | grep '^[-+]'
fi

# ---- every option is in the SYNOPSIS (short form where there is one) ----
awk '/^\.Sh SYNOPSIS/ { on = 1; next } /^\.Sh / { on = 0 } on' "$man" >"$tmp/synopsis"
shorts=$(grep -oE 'Fl [A-Za-z]+' "$tmp/synopsis" | awk '{ print $2 }' | fold -w1 | sort -u | tr -d '\n')
longs=$(grep -oE 'Fl -[a-z][a-z-]*' "$tmp/synopsis" | awk '{ print substr($2, 2) }' | sort -u)
while read -r short long _; do
	if [ "$short" != - ]; then
		[[ $shorts == *"$short"* ]] || fail "-$short (--$long) is not in the SYNOPSIS"
	else
		grep -qx -- "$long" <<<"$longs" || fail "--$long is not in the SYNOPSIS"
	fi
done <"$tmp/help.opts"

# ---- the ranges of --help ("1 to 255") appear in the option's entry ----
while read -r line; do
	long=$(sed -n -E 's/^ *(-[A-Za-z], )?--([a-z][a-z-]*).*/\2/p' <<<"$line")
	for range in $(grep -oE '[0-9]+ to [0-9]+' <<<"$line" | tr ' ' '_'); do
		range=${range//_/ }
		entry=$(awk -v opt="Fl -$long" '
			/^\.(It|El|Sh)( |$)/ { on = 0 }
			/^\.It / { on = index($0 " ", opt " ") > 0 }
			on' "$man" | tr '\n' ' ')
		[[ $entry == *"$range"* ]] ||
			fail "--$long: --help says \"$range\", carpd(8) does not"
	done
done < <(grep -E '^ +(-[A-Za-z], )?--[a-z]' "$tmp/help")

# ---- mandoc lint: carpd(8) and every other page in man/ ----
for page in "$top_srcdir"/man/*.[1-8]; do
	if ! mandoc -Tlint -W warning "$page" >"$tmp/lint" 2>&1 || [ -s "$tmp/lint" ]; then
		fail "mandoc -Tlint -W warning ${page#"$top_srcdir"/}:"
		cat "$tmp/lint"
	fi
done

n=$(wc -l <"$tmp/help.opts")
echo "cli_manpage: $n options compared, $failures problems"
[ "$failures" -eq 0 ]
