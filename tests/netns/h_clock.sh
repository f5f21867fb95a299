#!/usr/bin/env bash
# Wall-clock steps do not disturb carpd (its timers run on
# CLOCK_MONOTONIC).  Master a and backup b run under libfaketime, whose
# offset is read from a file on every call (FAKETIME_TIMESTAMP_FILE with
# FAKETIME_NO_CACHE), so it can be stepped while they run; the monotonic
# clock is left alone (FAKETIME_DONT_FAKE_MONOTONIC), as an NTP step or
# `date -s` would leave it.  The machine's clock is never touched.  b's
# wall clock steps an hour forward, then a's; then both two hours back,
# then forward to the real time: no transition on either host, each step
# seen in the time stamps of the daemons' own log lines.  Then a crashes
# and b still takes over after its master-down interval.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_hard.sh
. "${top_srcdir:-.}/tests/netns/lib_hard.sh"

VIP=192.0.2.100
tb_init
FT_LIB=
for f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 \
    /usr/local/lib/faketime/libfaketime.so.1; do
	[ -r "$f" ] && { FT_LIB=$f; break; }
done
if [ -z "$FT_LIB" ]; then
	echo "${0##*/}: SKIP: no libfaketime (Debian package faketime)" >&2
	exit 77
fi
# libfaketime keeps a shared memory segment and a semaphore in /dev/shm
# per preloaded process, removed only at a clean exit.
# shellcheck disable=SC2317 # called at exit
ft_cleanup() {
	local pid
	for pid in "${TB_ALLPIDS[@]}"; do
		rm -f "/dev/shm/faketime_shm_$pid" "/dev/shm/sem.faketime_sem_$pid"
	done
}
th_after_cleanup ft_cleanup
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
pass=$(tb_passfile group "clock $$")
# The unprivileged network process must be able to read the offsets.
chmod o+x "$TB_DIR"

# step HOST OFFSET: HOST's wall clock is now real time + OFFSET.
step() {
	printf '%s\n' "$2" >"$TB_DIR/$1.ft.new"
	chmod 644 "$TB_DIR/$1.ft.new"
	mv -f "$TB_DIR/$1.ft.new" "$TB_DIR/$1.ft"
	tb_log "$1: wall clock at real time $2"
}

# offset HOST: HOST's wall clock minus ours, in seconds, from the stamp
# of the status line it logs on SIGUSR1 (local time of day).
offset() {
	local line
	line=$(th_status "$1") || return 1
	awk -v l="${line%% *}" -v n="$(date +%H:%M:%S.%N)" 'BEGIN {
		split(l, x, ":"); split(n, y, ":")
		d = (x[1] * 3600 + x[2] * 60 + x[3]) - (y[1] * 3600 + y[2] * 60 + y[3])
		while (d > 43200) d -= 86400
		while (d <= -43200) d += 86400
		printf "%d\n", d < 0 ? d - 0.5 : d + 0.5 }'
}

# expect_offset HOST SECONDS: the daemon's clock shows the step (±30 s).
expect_offset() {
	local o
	o=$(offset "$1") || tb_fail "$1: no status line"
	if [ "$o" -lt $(($2 - 30)) ] || [ "$o" -gt $(($2 + 30)) ]; then
		tb_fail "$1's log is $o s off real time, not $2: libfaketime not in effect?"
	fi
	steps="$steps $1:$o"
}

# libfaketime opens its file on every clock call, which the network
# process's sandbox refuses (carpd(8), SECURITY): one process, as root.
common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1 --user=root)
# An AddressSanitizer build wants its runtime first among the preloads;
# libfaketime intercepts nothing that ASan does, so let it come second.
asan_opts=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
for h in a b; do
	step "$h" +0
	tb_daemon "$h" env LD_PRELOAD="$FT_LIB" ASAN_OPTIONS="$asan_opts" \
	    FAKETIME_TIMESTAMP_FILE="$TB_DIR/$h.ft" FAKETIME_NO_CACHE=1 \
	    FAKETIME_DONT_FAKE_MONOTONIC=1 "$CARPD" "${common[@]}" \
	    -u "$TB_DIR/$h.up" -d "$TB_DIR/$h.down" \
	    -k "$([ "$h" = a ] && echo 0 || echo 100)"
done
tb_wait_settled "$VIP" a 8 || tb_fail "a did not become the only holder"
tb_holds 1 tb_only_holder "$VIP" a || tb_fail "a did not stay the only holder"
steps=
expect_offset a 0
expect_offset b 0
na=$(th_transitions a)
nb=$(th_transitions b)

# Each step is held longer than b's master-down interval (3.39 s).
quiet() {
	tb_holds 4 tb_only_holder "$VIP" a || tb_fail "$1: a is no longer the only holder"
	[ "$(th_transitions a)" -eq "$na" ] || tb_fail "$1: a changed state"
	[ "$(th_transitions b)" -eq "$nb" ] || tb_fail "$1: b changed state"
}
step b +1h
expect_offset b 3600
quiet "b one hour forward"
step a +1h
expect_offset a 3600
quiet "a one hour forward"
step a -1h
step b -1h
expect_offset a -3600
expect_offset b -3600
quiet "both two hours back"
step a +0
step b +0
expect_offset a 0
expect_offset b 0
quiet "both back to real time"
tb_alive a || tb_fail "a died"
tb_alive b || tb_fail "b died"

# The timers still work: b takes over from a crashed a in 3.39 s.
t0=$(date +%s.%N)
tb_crash a
tb_wait_settled "$VIP" b 10.2 || tb_fail "b did not take over after the crash"
t1=$(date +%s.%N)
took=$(tb_elapsed "$t0" "$t1")
tb_lt 2 "$took" || tb_fail "b took over $took s after the crash: too soon"

tb_pass "no transition across wall-clock steps (offsets seen:$steps);" \
    "b took over $took s after a's crash"
