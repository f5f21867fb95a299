#!/usr/bin/env bash
# Compromised child: the up script for vhid 99, which the configuration
# does not have (its interface and address are vhid 7's).  Nothing may run
# for vhid 99: refused and logged, or run as vhid 7's with CARP_VHID=7.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_evil.sh
. "${top_srcdir:-.}/tests/netns/lib_evil.sh"

te_init
te_carpd vhid
te_wait_done 5 || tb_fail "the evil child did not start"
sleep 2
grep -q '^ENV CARP_VHID=99$' "$TE_RUNS" && tb_fail "root's script ran for vhid 99"
if [ "$(te_runs '^RUN ')" -eq 0 ]; then
	tb_loggrep a "$TE_REFUSED" || tb_fail "the request for vhid 99 was neither run nor refused in the log"
	tb_pass "unknown vhid: refused and logged"
fi
tb_fail "a script ran for a request about vhid 99: $(cat "$TE_RUNS")"
