#!/usr/bin/env bash
# Compromised child: a legitimate up request for 192.0.2.71 carrying an
# environment of its choosing: CARP_INJECT=$(...), LD_PRELOAD, PATH, a
# CARP_SRCIP with a newline and a second variable after it, and a reason
# with a newline.  Root's script must not see any of it: the request is
# refused (and logged), or the script runs with the parent's own values.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_evil.sh
. "${top_srcdir:-.}/tests/netns/lib_evil.sh"

te_init
te_carpd env
te_wait_done 5 || tb_fail "the evil child did not start"
sleep 2
for bad in '^ENV CARP_INJECT' '^ENV LD_PRELOAD' '^ENV PATH=/tmp/evil' '^ENV CARP_EVIL'; do
	[ "$(te_runs "$bad")" -eq 0 ] || tb_fail "root's script got the child's ${bad#^ENV }"
done
[ -e /tmp/evil-env ] && tb_fail "the injected command ran"
if [ "$(te_runs '^RUN up')" -eq 0 ]; then
	tb_loggrep a "$TE_REFUSED" || tb_fail "the forged request was neither run nor refused in the log"
	tb_pass "forged environment: the request was refused and logged"
fi
grep -q '^ENV CARP_REASON=master-down$' "$TE_RUNS" ||
	tb_fail "the script ran without the reason checked against the list"
tb_pass "forged environment: the script ran with the parent's values only"
