#!/usr/bin/env bash
# systemd's notify protocol as a Type=notify unit with WatchdogSec sees
# it (systemd itself is not PID 1 here): a listener on NOTIFY_SOCKET
# (python3, a unix datagram socket) records every message of a carpd
# run as root from a file that includes others (carpd.conf(5)).
#   - READY=1 once every vhid has started, STATUS= counting one that
#     waits for its missing interface; STATUS= follows the transitions
#   - SIGHUP: RELOADING=1 then READY=1; the changed included file is
#     read again (a vhid added), also when the reload fails
#   - WATCHDOG=1 about every WATCHDOG_USEC/4; with the network process
#     stopped (SIGSTOP) they stop while the parent still runs, until
#     its heartbeat gives the network process up
#   - without NOTIFY_SOCKET nothing is sent and nothing is logged
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

VIP=192.0.2.100
VIP3=192.0.2.103
WD_USEC=800000
PY=${PYTHON:-python3}
tb_init
command -v "$PY" >/dev/null || { echo "${0##*/}: SKIP: no $PY" >&2; exit 77; }
tb_switch
tb_host a 192.0.2.1/24
tb_scripts
sock=$TB_DIR/notify.sock
msgs=$TB_DIR/notify.log
pass=$(tb_passfile group "notify $$")

# Each datagram: "MONOTONIC_S MESSAGE", its newlines as "|".
cat >"$TB_DIR/listen.py" <<'EOF'
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as f:
    while True:
        d = s.recv(65536).decode("utf-8", "replace")
        f.write("%.3f %s\n" % (time.monotonic(), d.replace("\n", "|")))
EOF
: >"$msgs"
"$PY" "$TB_DIR/listen.py" "$sock" "$msgs" &
TB_ALLPIDS+=("$!")
tb_until 5 test -S "$sock" || tb_fail "the listener did not bind $sock"

# mark TEXT: a line of the test's own in the listener's record.
mark() {
	"$PY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(sys.argv[2].encode(), sys.argv[1])' "$sock" "TEST=$1"
}
# after MARK ERE: the messages after the mark line that match ERE.
after() {
	awk -v m="TEST=$1" 'f; $2 == m { f = 1 }' "$msgs" | grep -E -- "$2"
}
seen_after() {
	after "$1" "$2" >/dev/null
}

# The configuration: one file including the files of a directory.
mkdir -m 755 "$TB_DIR/a.d"
conf_file() { (umask 077 && cat >"$1"); }
conf_file "$TB_DIR/a.conf" <<EOF
control-socket $TB_DIR/a.sock
pidfile $TB_DIR/a.pid
include a.d/*.conf
EOF
conf_file "$TB_DIR/a.d/10-eth0.conf" <<EOF
interface eth0 {
	passfile $pass
	upscript $TB_DIR/a.up
	downscript $TB_DIR/a.down
	vhid 1 { addr $VIP/24 }
}
EOF
# Its interface is not there: it waits, and carpd is ready all the same.
conf_file "$TB_DIR/a.d/20-missing.conf" <<EOF
vhid 2 { interface sd$$x; addr 198.51.100.2/24; passfile $pass }
EOF

mark start
# WATCHDOG_PID is carpd's own: the shell's pid, which exec keeps.
tb_daemon a env NOTIFY_SOCKET="$sock" WATCHDOG_USEC=$WD_USEC sh -c \
    'WATCHDOG_PID=$$ exec "$0" "$@"' "$CARPD" -c "$TB_DIR/a.conf"
tb_until 10 seen_after start '\|?READY=1' ||
	tb_fail "no READY=1 within 10 s"
after start 'READY=1' | head -n 1 | grep -q 'STATUS=0 master, 1 backup, 1 waiting' ||
	tb_fail "READY=1 did not come with STATUS=0 master, 1 backup, 1 waiting: $(after start READY=1)"
tb_loggrep a 'vhid 1 on eth0: INIT -> BACKUP' ||
	tb_fail "READY=1 before vhid 1 started"
tb_until 15 seen_after start 'STATUS=1 master, 0 backup, 1 waiting' ||
	tb_fail "no STATUS=1 master, 0 backup, 1 waiting after vhid 1 became master"
tb_wait_master a "$VIP" 5 || tb_fail "a does not hold $VIP"

# A reload reads the changed directory: vhid 3 is added.
conf_file "$TB_DIR/a.d/30-more.conf" <<EOF
vhid 3 { interface eth0; addr $VIP3/24; passfile $pass }
EOF
mark hup
tb_signal a HUP
tb_until 10 seen_after hup 'READY=1' || tb_fail "no READY=1 after SIGHUP"
order=$(after hup '(RELOADING|READY)=1' | sed -E 's/^[0-9.]+ //; s/(RELOADING|READY)=1.*/\1/' | head -n 2 | tr '\n' ' ')
[ "$order" = "RELOADING READY " ] ||
	tb_fail "after SIGHUP: \"$order\", not RELOADING=1 then READY=1"
tb_wait_log a 'reloaded .*: 2 vhids kept, 1 added, 0 changed, 0 removed' 5 ||
	tb_fail "the reload did not add vhid 3 from the included a.d/30-more.conf"
tb_until 15 seen_after hup 'STATUS=2 master, 0 backup, 1 waiting' ||
	tb_fail "no STATUS=2 master, 0 backup, 1 waiting after the reload"

# A reload that fails (an error in an included file) ends with READY=1.
conf_file "$TB_DIR/a.d/40-bad.conf" <<EOF

vhid 4 { interface eth0; advskew 999 }
EOF
mark badhup
tb_signal a HUP
tb_until 10 seen_after badhup 'READY=1' || tb_fail "no READY=1 after a failed reload"
[ "$(after badhup '(RELOADING|READY)=1' | sed -E 's/^[0-9.]+ //; s/(RELOADING|READY)=1.*/\1/' | head -n 2 | tr '\n' ' ')" = "RELOADING READY " ] ||
	tb_fail "a failed reload: not RELOADING=1 then READY=1"
tb_wait_log a 'reload failed: .*a\.d/40-bad\.conf:2: advskew: .* \(included from .*a\.conf:3\)' 5 ||
	tb_fail "the failed reload does not name a.d/40-bad.conf and its line"
rm "$TB_DIR/a.d/40-bad.conf"

# The watchdog: regular until the network process stops.
net=$(pgrep -P "${TB_PID[a]}" -x carpd | head -n 1)
[ -n "$net" ] || tb_fail "no network process under ${TB_PID[a]}"
sleep 1
mark stop
kill -STOP "$net"
tb_log "network process $net stopped"
tb_wait_log a 'network process has not answered' 15 ||
	tb_fail "the parent did not notice the stopped network process"
mark dead
tb_wait_exit a 40 || tb_fail "carpd did not exit after giving its network process up"
sleep 0.5
"$PY" - "$msgs" "$WD_USEC" <<'EOF' || tb_fail "the watchdog messages are wrong (above)"
import sys
lines = [l.rstrip("\n").split(" ", 1) for l in open(sys.argv[1])]
period = int(sys.argv[2]) / 4e6
t = {m: float(ts) for ts, m in lines if m.startswith("TEST=")}
wd = [float(ts) for ts, m in lines if m == "WATCHDOG=1"]
before = [x for x in wd if x < t["TEST=stop"]]
after = [x for x in wd if x >= t["TEST=stop"]]
gaps = [b - a for a, b in zip(before, before[1:])]
print("WATCHDOG=1: %d before the stop, every %.3f s on average, at most "
      "%.3f s apart; %d after it, the last %.3f s after it; the heartbeat "
      "gave up %.3f s after the stop" % (len(before),
      sum(gaps) / max(len(gaps), 1), max(gaps or [0]), len(after),
      (wd[-1] - t["TEST=stop"]) if wd else -1,
      t["TEST=dead"] - t["TEST=stop"]), file=sys.stderr)
ok = True
if len(before) < 10 or max(gaps) > 8 * period:
    print("FAIL: not regular before the stop", file=sys.stderr); ok = False
# The heartbeat counts as fresh for 2 s after its last answer.
if after and after[-1] > t["TEST=stop"] + 2 + 3 * period:
    print("FAIL: still sent %.3f s after the stop" %
          (after[-1] - t["TEST=stop"]), file=sys.stderr); ok = False
# And the parent ran on without sending for a few periods.
if t["TEST=dead"] - wd[-1] < 3 * period:
    print("FAIL: sent until the parent gave up", file=sys.stderr); ok = False
sys.exit(0 if ok else 1)
EOF

# Without NOTIFY_SOCKET: nothing is sent, nothing about it is logged.
tm_log_more() { [ "$(tb_count "$1" "$2")" -gt "$3" ]; }
m3=$(tb_count a 'vhid 3 on eth0: BACKUP -> MASTER')
mark quiet
tb_daemon a env WATCHDOG_USEC=$WD_USEC "$CARPD" -c "$TB_DIR/a.conf"
tb_until 15 tm_log_more a 'vhid 3 on eth0: BACKUP -> MASTER' "$m3" ||
	tb_fail "without NOTIFY_SOCKET: vhid 3 did not become master"
tb_signal a TERM
tb_wait_exit a 40 || tb_fail "without NOTIFY_SOCKET: no exit on SIGTERM"
[ "$TB_RC" -eq 0 ] || tb_fail "without NOTIFY_SOCKET: exited $TB_RC"
n=$(after quiet . | wc -l)
[ "$n" -eq 0 ] || tb_fail "without NOTIFY_SOCKET: $n messages: $(after quiet .)"
if awk '/^=== .* start: /{ n++; next } n == 2' "$TB_DIR/a.log" |
    grep -Ei 'sd_notify|systemd'; then
	tb_fail "without NOTIFY_SOCKET: the log mentions systemd"
fi
tb_pass "READY, STATUS, RELOADING, WATCHDOG as a Type=notify unit sees them"
