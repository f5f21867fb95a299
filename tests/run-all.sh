#!/usr/bin/env bash
# Install what carpd needs (Debian 12), build it and run the whole test
# suite: unit tests, command-line tests and the test-bed tests that run
# real daemons (carpd, ucarp) in network namespaces.  Needs root.
#
#   ./tests/run-all.sh              normal build in ./build
#   SANITIZE=1 ./tests/run-all.sh   AddressSanitizer + UBSan build in ./build-asan
#   CHECK_JOBS=1 ./tests/run-all.sh  one test at a time (default: three)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

packages=(autoconf automake make gcc pkg-config libpcap-dev libnet1-dev
	libevent-dev nettle-dev libcap-ng-dev libseccomp-dev libsystemd-dev check iproute2
	iputils-ping tcpdump ucarp keepalived mandoc python3-scapy faketime psmisc
	ifupdown nftables tshark conntrackd conntrack python3-prometheus-client
	tcpreplay stress-ng gnuplot-nox)

install_packages() {
	local missing=()
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "run-all: missing packages (${missing[*]}); run as root" >&2
		exit 1
	fi
	echo "run-all: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
}

install_packages
# The network process's own user, as a package or README section 2
# creates it; without it carpd falls back to nobody with a warning.
if [ "$(id -u)" -eq 0 ] && ! getent passwd carpd >/dev/null; then
	echo "run-all: creating the system user carpd"
	if command -v adduser >/dev/null; then
		adduser --system --group --no-create-home --home /nonexistent \
		    carpd >/dev/null
	else
		useradd --system --user-group --no-create-home \
		    --home-dir /nonexistent --shell /usr/sbin/nologin carpd
	fi
fi
[ -x configure ] || autoreconf -fi

if [ "${SANITIZE:-0}" = 1 ]; then
	builddir=build-asan
	flags="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
else
	builddir=build
	flags="-O2 -g"
fi

# A developer may have configured the source tree itself; VPATH builds
# are refused then, so build in place.
if [ -f config.status ] && [ "${SANITIZE:-0}" != 1 ]; then
	builddir=.
fi
mkdir -p "$builddir"
cd "$builddir"
if [ ! -f Makefile ]; then
	"$top/configure" -q --enable-werror CFLAGS="$flags" LDFLAGS="${flags/-O1 -g/}"
fi
make -s -j"$(nproc)"

# A second, test-only build with --enable-test-hooks for the tests that
# replace the network process with a compromised one (tests/netns/e_*.sh)
# or make it break its sandbox (h_sandbox.sh), through $CARPD_HOOKS; the
# build above, the one installed, has no hook.
if [ "$builddir" = . ]; then
	echo "run-all: the source tree is configured in place: no build-hooks/," \
	    "the tests/netns/e_*.sh tests skip" >&2
else
	hookdir=$top/$builddir-hooks
	[ "$builddir" = build ] && hookdir=$top/build-hooks
	mkdir -p "$hookdir"
	(
		cd "$hookdir"
		[ -f Makefile ] || "$top/configure" -q --enable-werror \
		    --enable-test-hooks CFLAGS="$flags" LDFLAGS="${flags/-O1 -g/}"
		make -s -j"$(nproc)" src/carpd
	)
	export CARPD_HOOKS=$hookdir/src/carpd
fi

status=0
# Three tests at a time by default: the namespace tests are independent
# (own names, own temp dirs), bound their times loosely and mostly wait
# on timers (a load of about 1.3 on 2 cores with two at a time);
# CHECK_JOBS=1 runs them one by one.  Those that measure milliseconds (adverts every
# 3.9 ms, hand-over waits) run alone afterwards.
timing=" $(make -s print-timing-tests | grep -o 'tests/[^ ]*' | tr '\n' ' ') "
rest=()
for t in $(make -s print-tests | grep -o 'tests/[^ ]*'); do
	[[ $timing == *" $t "* ]] || rest+=("$t")
done
rm -f test-suite.log
make -s -j"${CHECK_JOBS:-3}" check TESTS="${rest[*]}" || status=$?
mv -f test-suite.log test-suite-parallel.log 2>/dev/null || true
make -s -j1 check TESTS="$timing" || status=$?

# One summary line for humans and CI: "N passed, N failed, N skipped".
pass=0 fail=0 skip=0
for t in $(find . -name '*.trs' | sort); do
	r=$(sed -n 's/^:test-result: //p' "$t" | head -n1)
	case "$r" in
	PASS|XFAIL) pass=$((pass + 1)) ;;
	SKIP) skip=$((skip + 1)) ;;
	*) fail=$((fail + 1)); echo "run-all: $r: ${t%.trs}" ;;
	esac
done
if [ $fail -gt 0 ] || [ $status -ne 0 ]; then
	find . -name 'test-suite*.log' -exec cat {} + | tail -n 200
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $status -eq 0 ] && [ $fail -eq 0 ]
