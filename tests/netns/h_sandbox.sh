#!/usr/bin/env bash
# The network process's sandbox: no new privileges, a seccomp filter,
# CAP_NET_RAW only, an empty and deleted root.  A test build
# (CARPD_HOOKS, configured with --enable-test-hooks) makes the running
# child try open(2) and execve(2): the parent names the refused call in
# its log, runs the down scripts and the daemon ends.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

if [ -z "${CARPD_HOOKS:-}" ]; then
	echo "${0##*/}: SKIP: CARPD_HOOKS (a carpd built with --enable-test-hooks) is not set" >&2
	exit 77
fi
[ -x "$CARPD_HOOKS" ] || { echo "CARPD_HOOKS=$CARPD_HOOKS is not executable" >&2; exit 99; }
CARPD=$CARPD_HOOKS

VIP=192.0.2.100
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_scripts
pass=$(tb_passfile group "sandbox $$")
args=(-i eth0 -v 9 -o "$pass" -a "$VIP" -b 1 -P
	-u "$TB_DIR/a.up" -d "$TB_DIR/a.down")

# The child of HOST's daemon (the network process).
child_of() {
	pgrep -P "${TB_PID[$1]}" -x carpd | head -n 1
}

# 1. A running child: its status and its root.
tb_carpd a "${args[@]}"
tb_wait_master a "$VIP" 10 || tb_fail "a did not become master"
tb_wait_log a 'network process sandboxed' 5 || tb_fail "no sandbox line"
pid=$(child_of a)
[ -n "$pid" ] || tb_fail "no network process"
st=/proc/$pid/status
grep -Eq '^Seccomp:[[:space:]]+2$' "$st" || tb_fail "not in seccomp filter mode: $(grep Seccomp "$st")"
grep -Eq '^NoNewPrivs:[[:space:]]+1$' "$st" || tb_fail "no_new_privs is not set"
# CAP_NET_RAW is bit 13.
grep -Eq '^CapEff:[[:space:]]+0+2000$' "$st" || tb_fail "CapEff is not cap_net_raw only: $(grep CapEff "$st")"
grep -Eq '^CapPrm:[[:space:]]+0+2000$' "$st" || tb_fail "CapPrm is not cap_net_raw only: $(grep CapPrm "$st")"
grep -Eq '^Uid:[[:space:]]+0[[:space:]]' "$st" && tb_fail "the network process runs as root"
# A sanitizer build (run-all.sh SANITIZE=1) does not chroot: carpd(8).
if tb_loggrep a 'sandboxed: .*sanitizer build'; then
	tb_log "sanitizer build: no chroot to check"
else
	root=$(readlink "/proc/$pid/root")
	case "$root" in
	*"/carpd-sandbox."*" (deleted)") ;;
	*) tb_fail "the root of the network process is $root, not a deleted empty directory" ;;
	esac
	[ -z "$(ls -A "/proc/$pid/root/")" ] || tb_fail "its root is not empty: $(ls -A "/proc/$pid/root/")"
	[ ! -e "${root% (deleted)}" ] || tb_fail "${root% (deleted)} is still there"
fi
# It keeps working inside: a stop runs the down script and ends cleanly.
tb_signal a TERM
tb_wait_exit a 10 || tb_fail "a did not exit on SIGTERM"
[ "$TB_RC" -eq 0 ] || tb_fail "a exited $TB_RC on SIGTERM"
tb_has a "$VIP" && tb_fail "a kept the VIP after SIGTERM"
tb_loggrep a 'sandbox: cannot|is not allowed|SIGSYS' && tb_fail "the sandbox refused a call of a normal run"

# 2. The child tries a forbidden call once master.
for call in open execve; do
	: >"$TB_EVENTS"
	echo "=== trying $call" >>"$TB_DIR/a.log"
	CARPD_TEST_SANDBOX=$call CARPD_TEST_SANDBOX_DELAY=8 tb_carpd a "${args[@]}"
	tb_wait_master a "$VIP" 7.5 || tb_fail "$call: a did not become master before the hook"
	want="network process stopped by its sandbox: system call ${call/open/openat} \([0-9]+\) is not allowed"
	tb_wait_log a "$want" 15 || tb_fail "$call: no log line naming the call"
	tb_wait_exit a 15 || tb_fail "$call: the daemon did not end"
	tb_wait_log a 'network process killed by SIGSYS' 1 ||
		tb_fail "$call: the parent did not see the child die of SIGSYS"
	[ "$TB_RC" -ne 0 ] || tb_fail "$call: the daemon exited 0"
	tb_loggrep a 'test hook: (open returned|execve:)' &&
		tb_fail "$call: the call returned instead of stopping the process"
	# Only the parent can run it: the child died without a word more.
	tb_wait_event ' a down eth0 192.0.2.100 INIT network-process-stopped' 5 ||
		tb_fail "$call: the parent did not run the down script"
	tb_has a "$VIP" && tb_fail "$call: the VIP stayed after the sandbox stop"
	tb_log "$call: $(grep -Eo "$want" "$TB_DIR/a.log" | tail -n 1)"
done
tb_pass "the child is sandboxed; open and execve stop it, the parent says so"
