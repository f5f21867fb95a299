#!/usr/bin/env bash
# Compromised child: it has the root parent run the up script of
# 192.0.2.71 (legitimately: a master takes its address), then stops
# answering, as a network process stopped with SIGSTOP does.  The parent
# must log it within a few seconds, kill it, run the down script of that
# address itself (as root, from its own configuration), and exit 1.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_evil.sh
. "${top_srcdir:-.}/tests/netns/lib_evil.sh"

te_init
te_carpd silent
te_wait_done 5 || tb_fail "the evil child did not start"
tb_until 3 tb_has a 192.0.2.71 || tb_fail "the up script did not add 192.0.2.71"
evil=$(te_evil_pid)
tb_wait_exit a 10 || tb_fail "the parent did not exit after its child went silent"
[ "$TB_RC" -eq 1 ] || tb_fail "the parent exited $TB_RC, not 1"
tb_loggrep a 'network process has not answered for 3 s' ||
	tb_fail "the silence was not logged"
tb_loggrep a 'killing the network process' || tb_fail "the kill was not logged"
[ -n "$evil" ] && kill -0 "$evil" 2>/dev/null && tb_fail "the silent child $evil is still running"
[ "$(te_runs '^RUN down uid=0 args=eth0 192\.0\.2\.71$')" -eq 1 ] ||
	tb_fail "the parent did not run the down script of 192.0.2.71 once as root"
grep -q '^ENV CARP_REASON=network-process-stopped$' "$TE_RUNS" ||
	tb_fail "the down script did not get CARP_REASON=network-process-stopped"
[ "$(te_runs '^RUN down .*192\.0\.2\.72')" -eq 0 ] ||
	tb_fail "a down script ran for 192.0.2.72, which was never up"
tb_has a 192.0.2.71 && tb_fail "192.0.2.71 is still on a"
tb_pass "silent child killed, the down script of its one up address run, parent exited 1"
