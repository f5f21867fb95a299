#!/usr/bin/env bash
# Compromised child: the down script told CARP_STATE=MASTER, the up script
# told CARP_STATE=BACKUP.  A state that does not belong to the script is
# refused and logged; a script never runs with it.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_evil.sh
. "${top_srcdir:-.}/tests/netns/lib_evil.sh"

te_init
te_carpd state
te_wait_done 5 || tb_fail "the evil child did not start"
sleep 2
bad=$(awk '/^RUN / { s = $2 } /^ENV CARP_STATE=/ { st = substr($2, 12)
	if ((s == "up" && st != "MASTER") || (s == "down" && st == "MASTER"))
		print s " with " st }' "$TE_RUNS")
[ -z "$bad" ] || tb_fail "a script ran with a state that is not its own: $bad"
tb_until 3 test "$(tb_count a "$TE_REFUSED")" -ge 2 ||
	tb_fail "the parent did not log two refusals"
tb_pass "wrong state for the script: both refused and logged"
