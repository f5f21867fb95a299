#!/usr/bin/env bash
# carpd(8), SECURITY, lists the system calls that the network process's
# sandbox allows: every call in src/sandbox.c's lists (sandbox_calls[],
# sanitizer_calls[], and the calls allowed with arguments) must be named
# there, and every call named in the page's list must be in the source.
# And the test hooks are in a build configured with --enable-test-hooks
# (CARPD_HOOKS), never in one without (CARPD).
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
src=$top_srcdir/src/sandbox.c
man=$top_srcdir/man/carpd.8
[ -r "$src" ] && [ -r "$man" ] || { echo "cli_sandbox: $src or $man is missing"; exit 99; }

# The names between "NAME[] = {" and "};" of the array NAME.
calls_of() {
	sed -n "/ $1\[\] = {/,/^};/p" "$src" | grep -v '^[[:space:]]*/\*' |
	    grep -o '"[a-z0-9_]*"' | tr -d '"'
}
code=$( { calls_of sandbox_calls; calls_of sanitizer_calls;
	grep -o 'SCMP_SYS([a-z0-9_]*)' "$src" | sed 's/SCMP_SYS(\(.*\))/\1/'; } | sort -u)
[ "$(echo "$code" | wc -l)" -gt 40 ] || { echo "cli_sandbox: could not read the lists in $src"; exit 99; }

section=$(sed -n '/^\.Ss The sandbox of the network process/,/^\.Sh /p' "$man")
[ -n "$section" ] || { echo "FAIL: carpd(8) has no 'The sandbox of the network process'"; exit 1; }
# The page's list (the .Bl of the groups of calls) and the paragraph on
# sanitizer builds, without the macros' names.
listed=$(echo "$section" |
	sed -n '/^\.Bl -tag/,/^\.El/p; /^Builds with AddressSanitizer/,/^Without privilege separation/p' |
	sed 's/^\.[A-Z][a-z]* //; /^\./d' | grep -o '[a-z][a-z0-9_]*' | sort -u)

failures=0
for c in $code; do
	echo "$listed" | grep -qx "$c" || { echo "FAIL: $c is allowed in $src but not listed in carpd(8)"; failures=$((failures + 1)); }
done
# And the other way: each word of the list of groups is a call allowed in
# the source, but for the few words of prose in it.
for c in $(echo "$section" | sed -n '/^\.Bl -tag/,/^\.El/p' | grep -v '^\.' |
	grep -o '[a-z][a-z0-9_]*' | sort -u); do
	case " and datagrams for itself only the to raw sockets of protocol " in *" $c "*) continue ;; esac
	echo "$code" | grep -qx "$c" || { echo "FAIL: carpd(8) lists $c, which $src does not allow"; failures=$((failures + 1)); }
done

# has_hooks BINARY: the hook's variable is in it.
has_hooks() {
	grep -aq CARPD_TEST_SANDBOX "$1"
}
if [ -n "${CARPD:-}" ] && [ -f "${top_builddir:-.}/config.h" ] &&
    ! grep -q '^#define CARPD_TEST_HOOKS' "${top_builddir:-.}/config.h"; then
	has_hooks "$CARPD" && { echo "FAIL: $CARPD, built without --enable-test-hooks, has the test hooks"; failures=$((failures + 1)); }
fi
if [ -n "${CARPD_HOOKS:-}" ] && [ -x "$CARPD_HOOKS" ]; then
	has_hooks "$CARPD_HOOKS" || { echo "FAIL: $CARPD_HOOKS has no test hooks"; failures=$((failures + 1)); }
fi
[ $failures -eq 0 ] || exit 1
echo "cli_sandbox: $(echo "$code" | wc -l) calls, all in carpd(8)"
