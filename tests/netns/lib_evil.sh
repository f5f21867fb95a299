# shellcheck shell=bash
# Helpers for the tests/netns/e_*.sh tests: a root carpd whose network
# process is replaced by tests/netns/tools/evil_child.py, which plays a
# compromised child against the root parent over the real channel.
# Sourced after lib.sh.  Needs a carpd built with --enable-test-hooks:
# $CARPD_HOOKS (tests/run-all.sh builds one in build-hooks/), or $CARPD
# if it is such a build; without one the tests skip (77).
#
#   te_init                      test bed: host a (192.0.2.1) with vhid 7
#                                (192.0.2.71/24 and 192.0.2.72) in
#                                $TB_DIR/a.conf, its scripts up.sh and
#                                down.sh recording every run in $TE_RUNS
#   te_carpd ATTACK [VAR=VAL...] start it with the evil child playing
#                                ATTACK (see evil_child.py)
#   te_wait_done T               the evil child has sent its attack
#   te_runs ERE                  how many lines of $TE_RUNS match
#   $TE_REFUSED                  an ERE for the parent's log lines that
#                                refuse or drop a request
#   te_parent_rss / te_parent_hwm  the parent's VmRSS / VmHWM, kB
#
# Each run of a script appends to $TE_RUNS one line
#   RUN up|down uid=UID args=ARGS
# and then one "ENV NAME=VALUE" line per line of its CARP_*, LD_* and
# PATH variables (a value with a newline shows as two lines).  With
# $TB_DIR/slow present the scripts add START/END lines around 2 s of sleep.

TE_EVIL=${top_srcdir:-.}/tests/netns/tools/evil_child.py
case $TE_EVIL in
/*) ;;
*) TE_EVIL=$PWD/$TE_EVIL ;;
esac

# shellcheck disable=SC2034 # for the tests
TE_REFUSED='[Rr]efus|[Mm]alformed|[Rr]eject|[Dd]ropp'

te_init() {
	tb_init
	TE_BIN=${CARPD_HOOKS:-$CARPD}
	if ! grep -qa CARPD_TEST_CHILD "$TE_BIN" 2>/dev/null; then
		echo "${0##*/}: SKIP: $TE_BIN has no test hooks (configure --enable-test-hooks; tests/run-all.sh sets CARPD_HOOKS)" >&2
		exit 77
	fi
	tb_switch
	tb_host a 192.0.2.1/24
	TE_RUNS=$TB_DIR/runs.log
	: >"$TE_RUNS"
	# The child's user may pass through (not write) the test's directory.
	chmod 711 "$TB_DIR"
	TE_USER=carpd
	id -u carpd >/dev/null 2>&1 || TE_USER=nobody
	mkdir -m 700 "$TB_DIR/evil" && chown "$TE_USER" "$TB_DIR/evil" || exit 99
	TE_PASS=$(tb_passfile group "evil $$")
	local ev op
	for ev in up down; do
		[ "$ev" = up ] && op=add || op=del
		cat >"$TB_DIR/$ev.sh" <<-EOF
		#!/bin/sh
		{
		echo "RUN $ev uid=\$(id -u) args=\$*"
		env | grep -E '^(CARP_|LD_|PATH=)' | sed 's/^/ENV /'
		} >>"$TE_RUNS"
		if [ -e "$TB_DIR/slow" ]; then
			echo "START \$(date +%s.%N)" >>"$TE_RUNS"
			sleep 2
			echo "END \$(date +%s.%N)" >>"$TE_RUNS"
		fi
		$TB_IP addr $op "\$2/\${CARP_PREFIX:-24}" dev "\$1" 2>/dev/null
		exit 0
		EOF
		chmod 755 "$TB_DIR/$ev.sh"
	done
	te_conf
}

te_conf() {
	(umask 077 && cat >"$TB_DIR/a.conf") <<-EOF
	control-socket $TB_DIR/a.sock
	pidfile $TB_DIR/a.pid
	vhid 7 {
		interface eth0
		addr 192.0.2.71/24
		addr 192.0.2.72
		passfile $TE_PASS
		upscript $TB_DIR/up.sh
		downscript $TB_DIR/down.sh
	}
	EOF
}

te_carpd() {
	local attack=$1
	shift
	tb_daemon a env CARPD_TEST_CHILD="$TE_EVIL" EVIL_ATTACK="$attack" \
	    EVIL_IF=eth0 EVIL_VHID=7 EVIL_VIP=192.0.2.71 \
	    EVIL_UP="$TB_DIR/up.sh" EVIL_DOWN="$TB_DIR/down.sh" \
	    EVIL_DIR="$TB_DIR/evil" "$@" "$TE_BIN" -c "$TB_DIR/a.conf"
}

te_wait_done() {
	tb_until "$1" test -e "$TB_DIR/evil/done"
}

te_runs() {
	local n
	n=$(grep -Ec -- "$1" "$TE_RUNS")
	echo "${n:-0}"
}

te_status() {
	awk -v k="$1:" '$1 == k { print $2 }' "/proc/${TB_PID[a]}/status" 2>/dev/null
}

te_parent_rss() {
	te_status VmRSS
}

te_parent_hwm() {
	te_status VmHWM
}

# te_evil_pid: the evil child (the parent's child running python).
te_evil_pid() {
	pgrep -P "${TB_PID[a]}" -f evil_child.py | head -n1
}
