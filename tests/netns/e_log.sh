#!/usr/bin/env bash
# Compromised child: a request whose label holds a newline, a fake log
# line ("FORGED carpd[1]: vhid 7 on eth0: MASTER -> BACKUP (forged)") and
# an escape sequence.  What the parent logs of it stays on one line, with
# the control characters escaped: no log line starts with the fake text.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_evil.sh
. "${top_srcdir:-.}/tests/netns/lib_evil.sh"

te_init
te_carpd log
te_wait_done 5 || tb_fail "the evil child did not start"
sleep 2
grep -q '^FORGED' "$TB_DIR/a.log" && tb_fail "the forged label wrote a log line of its own"
grep -q $'\x1b' "$TB_DIR/a.log" && tb_fail "an escape sequence reached the log"
tb_pass "forged label: no forged log line, no control character in the log"
