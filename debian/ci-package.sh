#!/usr/bin/env bash
# Build the Debian package from a clean copy of the tree (the committed
# files plus uncommitted changes to them, nothing built or untracked),
# check it with lintian (no errors), install it with dpkg -i and check
# that carpd, carpctl, the manual and the packaged files are there.
# Needs root on Debian 12; installs what it lacks with apt-get.  .ci/run
# calls it; developers can too.  The package is purged at the end
# (KEEP_PACKAGE=1 keeps it); its user carpd stays, as on any machine.
#
# Without systemd as PID 1 the units are checked (systemd-analyze
# verify, where it works) and their commands run as systemd would run
# them: a group from /etc/carpd.conf in a network namespace, with a
# NOTIFY_SOCKET that must get READY=1 (run_unit below).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
packaging_deps=(debhelper lintian dpkg-dev man-db)

say() {
	echo "ci-package: $*"
}

fail() {
	echo "ci-package: FAIL: $*" >&2
	exit 1
}

install_missing() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    "${missing[@]}" >/dev/null
}

# deps FIELD-TEXT: package names of a Depends-like field (first of each
# alternative, no versions, no substitution variables).
deps() {
	tr ',' '\n' <<<"$1" | sed 's/|.*//; s/(.*)//; s/\[.*\]//; s/<.*>//; s/[[:space:]]//g' |
	    grep -v -e '^$' -e '^\$' | sed 's/:any$//; s/^debhelper-compat$/debhelper/'
}

# The installed carpd.service's own commands, as systemd runs them:
# ExecStartPre (the check) then ExecStart, with a NOTIFY_SOCKET, for a
# group in /etc/carpd.conf on a veth in a network namespace (documentation
# addresses only).  The group must come up (READY=1, MASTER, the address
# added by the up script) and go down on SIGTERM (the address removed).
run_unit() {
	local unit=/lib/systemd/system/carpd.service conf=/etc/carpd.conf
	local ns=carpdpkg$$ pre cmd pid i
	[ -e "$conf" ] && { say "$conf exists here: not running the unit"; return 0; }
	pre=$(sed -n 's/^ExecStartPre=//p' "$unit")
	cmd=$(sed -n 's/^ExecStart=//p' "$unit")
	[ -n "$pre" ] && [ -n "$cmd" ] || fail "$unit has no ExecStartPre or ExecStart"
	ip netns add "$ns" || fail "ip netns add"
	unit_ns=$ns
	ip -n "$ns" link add eth0 type veth peer name eth1
	ip -n "$ns" link set eth0 up && ip -n "$ns" link set eth1 up
	ip -n "$ns" addr add 192.0.2.1/24 dev eth0
	printf 'ci-package %s\n' "$$" >"$work/pass" && chmod 600 "$work/pass"
	printf '#!/bin/sh\nip addr %s "$2/32" dev "$1"\n' add >"$work/up.sh"
	printf '#!/bin/sh\nip addr %s "$2/32" dev "$1"\n' del >"$work/down.sh"
	chmod 755 "$work/up.sh" "$work/down.sh"
	unit_conf=$conf
	cat >"$conf" <<-EOF
	vhid 1 {
		interface eth0
		addr 192.0.2.200
		passfile $work/pass
		advbase 1
		upscript $work/up.sh
		downscript $work/down.sh
	}
	EOF
	chmod 644 "$conf"
	say "unit: $pre"
	# shellcheck disable=SC2086 # the unit's command line, split as systemd does
	ip netns exec "$ns" $pre >"$work/unit.log" 2>&1 || { cat "$work/unit.log"; fail "ExecStartPre failed"; }
	say "unit: $cmd (NOTIFY_SOCKET, until READY=1 and MASTER)"
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(30)
open(sys.argv[1] + ".bound", "w").close()
while True:
    m = s.recv(4096).decode()
    print(m.replace("\n", " "), flush=True)
    if "READY=1" in m.split("\n"):
        break
' "$work/notify" >"$work/notify.log" 2>&1 &
	for ((i = 0; i < 100; i++)); do [ -e "$work/notify.bound" ] && break; sleep 0.1; done
	# shellcheck disable=SC2086
	NOTIFY_SOCKET=$work/notify ip netns exec "$ns" $cmd >>"$work/unit.log" 2>&1 &
	pid=$!
	for ((i = 0; i < 300; i++)); do
		ip -n "$ns" -4 addr show dev eth0 | grep -q ' 192\.0\.2\.200/32' && break
		sleep 0.1
	done
	ip -n "$ns" -4 addr show dev eth0 | grep -q ' 192\.0\.2\.200/32' ||
		{ cat "$work/unit.log"; fail "the unit's carpd did not become master of 192.0.2.200"; }
	wait %1 2>/dev/null || true
	grep -q 'READY=1' "$work/notify.log" ||
		{ cat "$work/notify.log" "$work/unit.log"; fail "no READY=1 on NOTIFY_SOCKET"; }
	kill -TERM "$pid"
	wait "$pid" || { cat "$work/unit.log"; fail "carpd exited $? on SIGTERM"; }
	ip -n "$ns" -4 addr show dev eth0 | grep -q ' 192\.0\.2\.200/' &&
		fail "the down script did not remove 192.0.2.200 at the stop"
	say "unit: READY=1 ($(grep -o 'STATUS=[^ ]*[^R]*' "$work/notify.log" | tail -n 1)), master, clean stop"
	rm -f "$conf"
	ip netns del "$ns"
	unit_ns= unit_conf=
}

[ "$(id -u)" -eq 0 ] || fail "needs root (apt-get, dpkg -i)"
start=$(date +%s)
install_missing "${packaging_deps[@]}"
# shellcheck disable=SC2046 # a list of package names
install_missing $(deps "$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$top/debian/control" |
    sed '$d; s/^Build-Depends://')")

work=$(mktemp -d "${TMPDIR:-/tmp}/carpd-pkg.XXXXXX")
unit_ns= unit_conf=
cleanup() {
	[ -n "$unit_ns" ] && ip netns del "$unit_ns" 2>/dev/null
	[ -n "$unit_conf" ] && rm -f "$unit_conf"
	if [ "${KEEP_WORK:-0}" = 1 ]; then
		echo "ci-package: kept $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src=$work/carpd-$version
mkdir "$src"
# HEAD plus the working tree's changes to tracked files, as a commit
# (that needs a committer's name, which a CI machine may not have).
git -C "$top" rev-parse --verify -q HEAD >/dev/null || fail "$top is not a git checkout"
tree=$(GIT_COMMITTER_NAME=ci-package GIT_COMMITTER_EMAIL=ci-package@localhost \
    GIT_AUTHOR_NAME=ci-package GIT_AUTHOR_EMAIL=ci-package@localhost \
    git -C "$top" stash create)
git -C "$top" archive "${tree:-HEAD}" | tar -x -C "$src"

say "dpkg-buildpackage -us -uc -b in $src"
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 ||
	{ tail -n 60 "$work/build.log"; fail "dpkg-buildpackage failed"; }
deb=$(ls "$work"/carpd_"$version"_*.deb)
changes=$(ls "$work"/carpd_"$version"_*.changes)

say "lintian $(basename "$changes")"
# Its exit status also counts warnings on some versions: read the tags.
lintian "$changes" >"$work/lintian.log" 2>&1 || true
grep -v 'running with root privileges' "$work/lintian.log" || true
grep -q '^E: ' "$work/lintian.log" && fail "lintian reports errors"

say "contents of $(basename "$deb")"
dpkg-deb -c "$deb" | awk '{ print $6, $7, $8 }' >"$work/contents"
for f in ./usr/sbin/carpd ./usr/sbin/carpctl ./usr/share/man/man8/carpd.8.gz \
    ./usr/share/man/man8/carpctl.8.gz ./usr/share/man/man5/carpd.conf.5.gz \
    ./usr/share/doc/carpd/examples/vip-up.sh ./usr/share/doc/carpd/examples/vip-down.sh \
    ./lib/systemd/system/carpd.service ./lib/systemd/system/carpd@.service \
    ./etc/network/if-up.d/carpd ./etc/network/if-down.d/carpd \
    ./usr/share/carpd/vip-up ./usr/share/carpd/vip-down \
    ./usr/share/bash-completion/completions/carpd \
    ./usr/share/bash-completion/completions/carpctl \
    ./usr/lib/sysusers.d/carpd.conf; do
	grep -q "^$f\( \|$\)" "$work/contents" || fail "the package lacks $f"
done
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)
[ "$conffiles" = /etc/network/if-up.d/carpd ] ||
	fail "conffiles are not just /etc/network/if-up.d/carpd: $conffiles"

# shellcheck disable=SC2046 # a list of package names
install_missing $(deps "$(dpkg-deb -f "$deb" Depends)")
say "dpkg -i $(basename "$deb")"
dpkg -i "$deb" >"$work/install.log" 2>&1 </dev/null || { cat "$work/install.log"; fail "dpkg -i failed"; }
/usr/sbin/carpd --version | grep -qx "carpd $version" || fail "carpd --version: $(/usr/sbin/carpd --version)"
/usr/sbin/carpctl --help | grep -q '^Usage: carpctl' || fail "carpctl --help"
[ "$(man -w carpd)" = /usr/share/man/man8/carpd.8.gz ] || fail "man -w carpd: $(man -w carpd)"
{ man -w carpctl && man -w 5 carpd.conf; } >/dev/null || fail "man -w carpctl, carpd.conf"
getent passwd carpd | grep -q ':/nonexistent:' || fail "no system user carpd"
getent group carpd >/dev/null || fail "no group carpd"
[ -L /etc/network/if-down.d/carpd ] || fail "/etc/network/if-down.d/carpd is not a link"
if command -v systemd-analyze >/dev/null; then
	# Without systemd running, verify may still load the units offline.
	systemd-analyze verify /lib/systemd/system/carpd.service \
	    /lib/systemd/system/carpd@.service >"$work/verify.log" 2>&1 ||
		say "systemd-analyze verify could not run here: $(head -n 3 "$work/verify.log")"
	grep -E 'carpd(@)?\.service:[0-9]+:' "$work/verify.log" &&
		fail "systemd-analyze verify complains about the units"
fi
run_unit
# Reinstalling (an upgrade to the same version) keeps the administrator's
# change to a conffile and the user.
echo "# changed by ci-package.sh" >>/etc/network/if-up.d/carpd
dpkg -i "$deb" >>"$work/install.log" 2>&1 </dev/null || fail "reinstall failed"
grep -q 'changed by ci-package.sh' /etc/network/if-up.d/carpd ||
	fail "an upgrade replaced the administrator's /etc/network/if-up.d/carpd"

if [ "${KEEP_PACKAGE:-0}" != 1 ]; then
	dpkg --purge carpd >>"$work/install.log" 2>&1 || fail "dpkg --purge failed"
	[ ! -e /etc/network/if-up.d/carpd ] || fail "purge left /etc/network/if-up.d/carpd"
	getent passwd carpd >/dev/null || fail "purge removed the user carpd"
	say "purged (the user carpd stays)"
fi
say "OK in $(( $(date +%s) - start )) s"
