#!/usr/bin/env bash
# Compromised child: transitions for the root parent's notify FIFO about a
# vhid, an interface, a configuration or a group that are not configured,
# and an interface name with a terminal escape.  Only the one true line
# ("7 eth0 BACKUP carp") may reach the FIFO; the others are refused and
# logged.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_evil.sh
. "${top_srcdir:-.}/tests/netns/lib_evil.sh"

te_init
echo "notify-fifo $TB_DIR/a.fifo" >>"$TB_DIR/a.conf"
te_carpd transition
tb_until 5 test -p "$TB_DIR/a.fifo" || tb_fail "carpd made no notify FIFO"
cat "$TB_DIR/a.fifo" >"$TB_DIR/notify" &
TB_ALLPIDS+=($!)
te_wait_done 5 || tb_fail "the evil child did not start"
tb_until 5 grep -q . "$TB_DIR/notify" || tb_fail "the true transition never reached the FIFO"
sleep 1
got=$(cat "$TB_DIR/notify")
[ "$got" = "7 eth0 BACKUP carp" ] ||
    tb_fail "the notify FIFO got: $(printf '%q' "$got")"
n=$(tb_count a "privsep: transition of vhid")
tb_loggrep a "transition of vhid 99 on eth0.*no such vhid" ||
    tb_fail "the transition of vhid 99 was not refused in the log"
tb_loggrep a "configuration 77.*not a configuration in use" ||
    tb_fail "the transition of configuration 77 was not refused in the log"
tb_loggrep a "not the vhid's group" ||
    tb_fail "the transition with a forged group was not refused in the log"
tb_pass "forged transitions refused, the true one written (${n:-?} refusals logged)"
