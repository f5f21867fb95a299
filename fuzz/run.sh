#!/usr/bin/env bash
# fuzz/run.sh [SECONDS]: build the libFuzzer targets (fuzz_packet,
# fuzz_config) with ASan and UBSan and run each for SECONDS (default 60;
# 0 replays the seed corpus once and stops).  The targets run one after
# the other on a copy of fuzz/corpus/, so the tree is never written.
# Exit 0 when both ran clean; 1 on a crash, leak, UB, timeout or broken
# invariant (the reproducer's path is printed); 2 when it cannot build.
#
# Environment: FUZZ_BUILD (build and work directory, default fuzz/build),
# FUZZ_CC (default clang), FUZZ_CFLAGS (extra flags, e.g.
# -DFUZZ_KNOWN_PRINT_UNQUOTED; see fuzz/README), FUZZ_ARGS (extra libFuzzer
# options for both targets, e.g. -jobs=4 or -seed=1).
set -u

secs=${1:-60}
case $secs in
'' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

fuzzdir=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$fuzzdir")
build=${FUZZ_BUILD:-$fuzzdir/build}
mkdir -p "$build" || exit 2
build=$(cd "$build" && pwd)

die() {
	echo "fuzz/run.sh: $*" >&2
	exit 2
}

# The compiler: clang with libFuzzer and the sanitizer runtimes.
cc=${FUZZ_CC:-}
if [ -z "$cc" ]; then
	for c in clang clang-14; do
		command -v "$c" >/dev/null 2>&1 && { cc=$c; break; }
	done
fi
[ -n "$cc" ] || die "clang not found; on Debian 12: apt-get install clang libclang-rt-14-dev nettle-dev"
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' \
    >"$build/probe.c"
"$cc" -fsanitize=fuzzer,address,undefined "$build/probe.c" -o "$build/probe" \
    >"$build/probe.log" 2>&1 ||
	die "$cc cannot build libFuzzer targets (see $build/probe.log); on Debian 12: apt-get install clang libclang-rt-14-dev"

# nettle, for the HMAC in src/proto.c.
if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists nettle; then
	nettle_cflags=$(pkg-config --cflags nettle)
	nettle_libs=$(pkg-config --libs nettle)
else
	nettle_cflags=
	nettle_libs=-lnettle
fi
printf '#include <nettle/hmac.h>\nint main(void) { struct hmac_sha1_ctx c; hmac_sha1_set_key(&c, 1, (const unsigned char *)"k"); return 0; }\n' \
    >"$build/probe.c"
# shellcheck disable=SC2086
"$cc" $nettle_cflags "$build/probe.c" -o "$build/probe" $nettle_libs \
    >"$build/probe.log" 2>&1 ||
	die "cannot build against nettle (see $build/probe.log); on Debian 12: apt-get install nettle-dev"

# config.h: the configured tree's, else a minimal one, so that this also
# runs on a checkout that was never configured.
cfgdir=
for d in "${top_builddir:-}" "$top"; do
	if [ -n "$d" ] && [ -f "$d/config.h" ]; then
		cfgdir=$(cd "$d" && pwd)
		break
	fi
done
if [ -z "$cfgdir" ]; then
	cfgdir=$build/gen
	mkdir -p "$cfgdir"
	version=$(sed -n 's/^AC_INIT(\[carpd\], *\[\([^]]*\)\].*/\1/p' \
	    "$top/configure.ac")
	printf '#define _GNU_SOURCE 1\n#define PACKAGE "carpd"\n#define PACKAGE_VERSION "%s"\n' \
	    "${version:-unknown}" >"$cfgdir/config.h"
fi

flags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
    -fno-sanitize-recover=all -U_FORTIFY_SOURCE -Wall -Wextra
    -Wno-unused-parameter -I$cfgdir -I$top/include -I$fuzzdir
    $nettle_cflags ${FUZZ_CFLAGS:-}"
s=$top/src

echo "fuzz: building in $build with $cc"
# shellcheck disable=SC2086
if ! "$cc" $flags -o "$build/fuzz_packet" "$fuzzdir/fuzz_packet.c" \
    "$s/proto.c" "$s/fsm.c" $nettle_libs >"$build/build.log" 2>&1 ||
    ! "$cc" $flags -Wl,--wrap=open -o "$build/fuzz_config" \
    "$fuzzdir/fuzz_config.c" "$s/conf.c" "$s/options.c" "$s/log.c" "$s/safefile.c" \
    "$s/fsm.c" "$s/proto.c" "$s/util.c" "$s/vhid_config.c" "$s/demote.c" "$s/rt.c" \
    $nettle_libs >>"$build/build.log" 2>&1; then
	cat "$build/build.log" >&2
	die "build failed"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# run_target NAME MAX_LEN [libFuzzer options...]
run_target() {
	local name=$1 maxlen=$2 work=$build/run-$1 rc limit
	shift 2

	rm -rf "$work"
	mkdir -p "$work/corpus" "$work/artifacts"
	cp "$fuzzdir/corpus/$name"/* "$work/corpus/"
	if [ "$name" = config ]; then
		# Relative passfiles the config seeds name: one usable, one
		# readable by others (refused).
		printf 'fuzz-pw\n' >"$work/fuzz.pass"
		chmod 600 "$work/fuzz.pass"
		printf 'fuzz-pw\n' >"$work/fuzz-exposed.pass"
		chmod 644 "$work/fuzz-exposed.pass"
	fi
	if [ "$secs" -eq 0 ]; then
		limit=-runs=0
	else
		limit=-max_total_time=$secs
	fi
	# shellcheck disable=SC2086
	(cd "$work" && "$build/fuzz_$name" "$limit" -max_len="$maxlen" \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$work/artifacts/" "$@" ${FUZZ_ARGS:-} corpus \
	    </dev/null >"$work/log" 2>&1)
	rc=$?
	summary "$name" "$work" "$rc"
	return "$rc"
}

# One line: executions, speed, coverage, corpus size.
summary() {
	local name=$1 work=$2 rc=$3 execs eps new last cov ft corp

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
	new=$(sed -n 's/^stat::new_units_added: *//p' "$work/log")
	last=$(grep -a ' cov: ' "$work/log" | tail -n 1)
	cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(printf '%s\n' "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
	if [ "$rc" -eq 0 ]; then
		echo "fuzz_$name: OK ${execs:-?} execs (${eps:-?}/s) in ${secs}s," \
		    "cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?} (+${new:-0} new)"
		return
	fi
	echo "fuzz_$name: FAIL (exit $rc) after ${execs:-?} execs," \
	    "cov ${cov:-?}; log: $work/log"
	for f in "$work"/artifacts/*; do
		[ -e "$f" ] && echo "fuzz_$name: reproducer: $f" \
		    "(run: $build/fuzz_$name $f)"
	done
	# The report: from the sanitizer's or libFuzzer's first line on.
	grep -a -n -m 1 -E '^==[0-9]+==|runtime error|^re-parse failed|ERROR: libFuzzer' \
	    "$work/log" | cut -d: -f1 | while read -r n; do
		tail -n +"$n" "$work/log" | head -n 60 | sed "s/^/fuzz_$name: /"
	done
}

status=0
run_target packet 256 || status=1
run_target config 4096 -dict="$fuzzdir/config.dict" || status=1
exit $status
