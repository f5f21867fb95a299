#!/usr/bin/env bash
# Compromised child: 300 times, a legitimate up request on a fresh queue
# (the up script takes 2 s) and at once the release of that queue: a
# released busy queue keeps running, so this would start 300 root scripts
# at once.  Never more than the parent's cap on concurrent scripts may run
# (counted from the scripts' START/END lines; the cap is at most 64).
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_evil.sh
. "${top_srcdir:-.}/tests/netns/lib_evil.sh"

te_init
cap=64
touch "$TB_DIR/slow"
te_carpd release EVIL_COUNT=300
te_wait_done 5 || tb_fail "the evil child did not start"
sleep 4
started=$(te_runs '^START ')
most=$(awk '$1 == "START" { print $2, 1 } $1 == "END" { print $2, -1 }' "$TE_RUNS" |
	sort -n | awk '{ n += $2; if (n > m) m = n } END { print m + 0 }')
# Stop the rest: they would only run, at most cap at a time, for minutes.
kill -9 "${TB_PID[a]}"
tb_log "release: $started scripts started, at most $most at once"
[ "$most" -le "$cap" ] || tb_fail "$most root scripts ran at once (cap $cap)"
[ "$started" -ge 1 ] || tb_fail "no script ran at all"
tb_pass "released busy queues: $started scripts started, at most $most at once (cap $cap)"
