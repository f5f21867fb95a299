#!/usr/bin/env bash
# Files root relies on, attacked by the network process's user:
#  a. a configuration file of mode 0666 owned by nobody: carpd -t and a
#     start are refused, naming the file and why;
#  b. the up script was safe at start, then made 0777: the compromised
#     child rewrites it with a payload and asks for it to run.  The
#     parent checks it again before running it: refused and logged, the
#     payload does not run as root.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_evil.sh
. "${top_srcdir:-.}/tests/netns/lib_evil.sh"

te_init
cp "$TB_DIR/a.conf" "$TB_DIR/open.conf"
chown nobody "$TB_DIR/open.conf" && chmod 666 "$TB_DIR/open.conf"
rc=0
"$TE_BIN" -t -c "$TB_DIR/open.conf" >"$TB_DIR/t.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || tb_fail "a. carpd -t of a 0666 file owned by nobody exited $rc"
grep -q "carpd: $TB_DIR/open.conf: not trusted: owned by uid 65534, not by root" "$TB_DIR/t.out" ||
	tb_fail "a. carpd -t: $(cat "$TB_DIR/t.out")"
rc=0
timeout 10 "$TB_IP" netns exec "${TB_NS[a]}" "$TE_BIN" -c "$TB_DIR/open.conf" \
    >"$TB_DIR/start.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || tb_fail "a. a start with it exited $rc: $(cat "$TB_DIR/start.out")"

te_carpd rewrite
sleep 1
chmod 777 "$TB_DIR/up.sh"
te_wait_done 12 || tb_fail "b. the evil child did not finish"
grep -q "rewrote $TB_DIR/up.sh" "$TB_DIR/a.log" || tb_fail "b. the child could not rewrite the 0777 script"
tb_wait_log a "cannot run $TB_DIR/up\.sh: not trusted: writable by group or others \(mode 0777\)" 3 ||
	tb_fail "b. the parent did not refuse the 0777 script"
sleep 1
[ -e "$TB_DIR/evil/evil-rewrite" ] && tb_fail "b. the rewritten script ran: $(cat "$TB_DIR/evil/evil-rewrite")"
tb_pass "0666 config owned by nobody refused; a 0777 script rewritten by the child was not run"
