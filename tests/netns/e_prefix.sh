#!/usr/bin/env bash
# Compromised child: the up script of 192.0.2.71 with prefix length 1
# (CARP_PREFIX=1): root would add 192.0.2.71/1 and with it an on-link
# route for half of IPv4.  Configured: 192.0.2.71/24.  No /1 address nor
# route may appear; if the script runs, it is with /24.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_evil.sh
. "${top_srcdir:-.}/tests/netns/lib_evil.sh"

te_init
te_carpd prefix
te_wait_done 5 || tb_fail "the evil child did not start"
sleep 2
"$TB_IP" -n "${TB_NS[a]}" -4 -o addr show dev eth0 | grep -q '/1 ' &&
	tb_fail "a /1 address was added: $("$TB_IP" -n "${TB_NS[a]}" -4 -o addr show dev eth0)"
"$TB_IP" -n "${TB_NS[a]}" -4 route show | grep -q '/1 ' &&
	tb_fail "a /1 route appeared: $("$TB_IP" -n "${TB_NS[a]}" -4 route show)"
grep -q '^ENV CARP_PREFIX=1$' "$TE_RUNS" && tb_fail "root's script got CARP_PREFIX=1"
if [ "$(te_runs '^RUN up')" -gt 0 ]; then
	tb_has a 192.0.2.71 || tb_fail "the up script ran but 192.0.2.71 is not on a"
	"$TB_IP" -n "${TB_NS[a]}" -4 -o addr show dev eth0 | grep -q ' 192\.0\.2\.71/24 ' ||
		tb_fail "192.0.2.71 was not added as /24"
	tb_pass "forged prefix: the script ran with the configured /24"
fi
tb_loggrep a "$TE_REFUSED" || tb_fail "the forged request was neither run nor refused in the log"
tb_pass "forged prefix: refused and logged"
