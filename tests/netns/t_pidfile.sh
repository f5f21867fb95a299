#!/usr/bin/env bash
# The pid file and the control socket, as root with privilege separation:
#  a. a symbolic link planted at the pid file's path is not followed: carpd
#     refuses to start and the file the link points to is untouched;
#     nor does a FIFO there;
#  b. a stale pid file naming a live process (after a crash the pid may
#     be reused) does not stop the start: the file is not locked;
#  c. a second carpd with the same pid file is refused with a clear
#     message while the first runs;
#  d. a reload that names another pid file and control socket, and a pid
#     file replaced behind carpd's back: at exit carpd removes only the
#     socket it bound, and neither the file in the pid file's place nor
#     the paths the reloaded file named.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

tb_init
tb_switch
tb_host a 192.0.2.1/24
pass=$(tb_passfile group "pidfile $$")
pid=$TB_DIR/a.pid
sock=$TB_DIR/a.sock

conf() {
	printf 'control-socket %s\npidfile %s\n' "$1" "$2"
	echo "vhid 1 { interface eth0; addr 192.0.2.10; passfile $pass }"
}

# a. A planted symbolic link to a file of root's.
echo precious >"$TB_DIR/victim"
ln -s "$TB_DIR/victim" "$pid"
conf "$sock" "$pid" | tm_conf a
tb_carpd a -c "$TB_DIR/a.conf"
tb_wait_exit a 5 || tb_fail "a. carpd started through a symbolic link pid file"
[ "$TB_RC" -eq 1 ] || tb_fail "a. carpd exited $TB_RC, not 1"
tb_loggrep a "cannot open pidfile $pid \(a symbolic link\)" ||
	tb_fail "a. no message about the symbolic link"
[ "$(cat "$TB_DIR/victim")" = precious ] || tb_fail "a. the link's target was written"
rm -f "$pid"
# A FIFO there: not even opened (an open for writing would wait).
mkfifo -m 600 "$pid"
tb_carpd a -c "$TB_DIR/a.conf"
tb_wait_exit a 5 || tb_fail "a. carpd hung on, or started with, a FIFO pid file"
tb_loggrep a "pidfile $pid: not a regular file; not starting" ||
	tb_fail "a. no message about the FIFO"
rm -f "$pid"

# b. A stale pid file naming a live process (this shell).
echo $$ >"$pid"
tb_carpd a -c "$TB_DIR/a.conf"
tb_wait_log a 'INIT -> BACKUP \(startup\)' 5 || tb_fail "b. a stale pid file stopped the start"
tb_until 2 grep -qx "${TB_PID[a]}" "$pid" ||
	tb_fail "b. the pid file holds $(cat "$pid"), not ${TB_PID[a]}"
tm_wait_ctl a 5 || tb_fail "b. no control socket"
first=${TB_PID[a]}

# c. A second carpd with the same pid file (and its own socket).
conf "$TB_DIR/b.sock" "$pid" | tm_conf b
rc=0
timeout 10 "$TB_IP" netns exec "${TB_NS[a]}" "$CARPD" -c "$TB_DIR/b.conf" \
    >"$TB_DIR/second.log" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || tb_fail "c. the second carpd exited $rc, not 1: $(cat "$TB_DIR/second.log")"
grep -q "$pid: another carpd (pid $first) is running; not starting" \
    "$TB_DIR/second.log" ||
	tb_fail "c. no clear message from the second carpd: $(cat "$TB_DIR/second.log")"
grep -qx "$first" "$pid" || tb_fail "c. the refused carpd changed the pid file"
[ -e "$TB_DIR/b.sock" ] && tb_fail "c. the refused carpd made a socket"
tb_alive a || tb_fail "c. the first carpd is gone"

# d. A reload naming other paths, then the pid file replaced.
echo keep >"$TB_DIR/other.pid"
conf "$TB_DIR/other.sock" "$TB_DIR/other.pid" | tm_conf a
: >"$TB_DIR/other.sock"
tb_signal a HUP
tb_wait_log a 'reloaded ' 5 || tb_fail "d. no reload"
mv "$pid" "$pid.old"
echo "not carpd's" >"$pid"
tb_signal a TERM
tb_wait_exit a 10 || tb_fail "d. carpd did not exit on SIGTERM"
[ -S "$sock" ] && tb_fail "d. the control socket carpd bound is still there"
[ "$(cat "$pid" 2>/dev/null)" = "not carpd's" ] ||
	tb_fail "d. the file put in the pid file's place was removed or changed"
{ [ -e "$TB_DIR/other.pid" ] && [ -e "$TB_DIR/other.sock" ]; } ||
	tb_fail "d. carpd removed paths that only the reloaded file named"
tb_pass "pid file: no link followed, stale file ignored, second carpd refused, only its own files removed"
