#!/usr/bin/env bash
# Compromised child: the up script of vhid 7 for 192.0.2.99, which is not
# one of its addresses.  Refused and logged; the address is not added.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_evil.sh
. "${top_srcdir:-.}/tests/netns/lib_evil.sh"

te_init
te_carpd addr
te_wait_done 5 || tb_fail "the evil child did not start"
tb_wait_log a "$TE_REFUSED" 3 || tb_fail "the parent did not log a refusal"
sleep 1
[ "$(te_runs '^RUN ')" -eq 0 ] || tb_fail "a script ran: $(grep '^RUN' "$TE_RUNS")"
tb_has a 192.0.2.99 && tb_fail "192.0.2.99 was added"
tb_pass "wrong address: refused and logged, nothing ran"
