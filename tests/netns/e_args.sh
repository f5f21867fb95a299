#!/usr/bin/env bash
# Compromised child: the up script of vhid 7 with an extra argument of
# its choosing, and with a forged interface name ("eth0 -o /etc/passwd").
# Neither may run as root; each refusal is logged.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_evil.sh
. "${top_srcdir:-.}/tests/netns/lib_evil.sh"

te_init
te_carpd args
te_wait_done 5 || tb_fail "the evil child did not start"
tb_until 3 test "$(tb_count a "$TE_REFUSED")" -ge 2 ||
	tb_fail "the parent did not log two refusals"
sleep 1
[ "$(te_runs '^RUN ')" -eq 0 ] || tb_fail "a script ran: $(grep '^RUN' "$TE_RUNS")"
tb_pass "forged arguments: both requests refused and logged, nothing ran"
