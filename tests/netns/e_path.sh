#!/usr/bin/env bash
# Compromised child: scripts of its choosing: /bin/sh -c 'id >MARKER', and
# a root-owned script that is in no configuration.  Neither may run; the
# refusals are logged.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_evil.sh
. "${top_srcdir:-.}/tests/netns/lib_evil.sh"

te_init
printf '#!/bin/sh\nid >%s\n' "$TB_DIR/evil-payload" >"$TB_DIR/payload.sh"
chmod 755 "$TB_DIR/payload.sh"
te_carpd path EVIL_PAYLOAD="$TB_DIR/payload.sh"
te_wait_done 5 || tb_fail "the evil child did not start"
tb_until 3 test "$(tb_count a "$TE_REFUSED")" -ge 2 ||
	tb_fail "the parent did not log two refusals"
sleep 1
[ -e "$TB_DIR/evil/evil-path" ] && tb_fail "/bin/sh ran: $(cat "$TB_DIR/evil/evil-path")"
[ -e "$TB_DIR/evil-payload" ] && tb_fail "the unconfigured script ran: $(cat "$TB_DIR/evil-payload")"
tb_pass "forged script paths: both refused and logged, nothing ran"
