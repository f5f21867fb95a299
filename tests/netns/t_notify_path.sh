#!/usr/bin/env bash
# The notify FIFO's path is looked at before root opens it for writing:
#  a. a symbolic link to a regular file: refused and logged, the file is
#     untouched, carpd runs on and becomes master;
#  b. a FIFO that others may write to: refused the same way;
#  c. a FIFO of root's, mode 0600: every transition arrives.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

VIP=192.0.2.100
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_scripts
pass=$(tb_passfile group "notify $$")
conf() {
	tm_globals a
	echo "notify-fifo $1"
	echo "vhid 1 { interface eth0; addr $VIP; passfile $pass; advbase 1"
	echo "    upscript $TB_DIR/a.up; downscript $TB_DIR/a.down }"
}
run_case() {	# what, path
	conf "$2" | tm_conf a
	tm_carpd_conf a
	tb_wait_master a "$VIP" 8 || tb_fail "$1: a did not become master"
	tb_signal a TERM
	tb_wait_exit a 10 || tb_fail "$1: a did not exit"
}

# a.
echo "precious" >"$TB_DIR/file"
ln -s "$TB_DIR/file" "$TB_DIR/link"
run_case a "$TB_DIR/link"
[ "$(cat "$TB_DIR/file")" = precious ] || tb_fail "a. root wrote through the link"
tb_loggrep a "notify fifo $TB_DIR/link: not a FIFO of uid 0" ||
	tb_fail "a. the link was not refused in the log"

# b.
mkfifo -m 0622 "$TB_DIR/open.fifo" && chmod 0622 "$TB_DIR/open.fifo"
run_case b "$TB_DIR/open.fifo"
tb_loggrep a "notify fifo $TB_DIR/open\.fifo: not a FIFO of uid 0" ||
	tb_fail "b. the FIFO others may write to was not refused"

# c.
conf "$TB_DIR/good.fifo" | tm_conf a
tm_carpd_conf a
tb_until 5 test -p "$TB_DIR/good.fifo" || tb_fail "c. carpd made no FIFO"
cat "$TB_DIR/good.fifo" >"$TB_DIR/lines" &
TB_ALLPIDS+=($!)
tb_wait_master a "$VIP" 8 || tb_fail "c. a did not become master"
tb_until 3 grep -q "^1 eth0 MASTER carp$" "$TB_DIR/lines" ||
	tb_fail "c. the FIFO got: $(cat "$TB_DIR/lines")"
tb_pass "links and writable FIFOs refused; a root FIFO gets the transitions"
