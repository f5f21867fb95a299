#!/usr/bin/env bash
# Compromised child: 4000 requests as fast as the channel takes them, over
# 8 queues, while the up script takes 2 s (so that the queues fill): half
# of them well formed, half of them 200 kB long.  The root parent must not
# hold them: its resident size stays under 50 MB throughout (sampled from
# /proc every 0.1 s, and its peak VmHWM at the end); the refusals are
# logged at a bounded rate.  Past 200 MB the test stops the parent rather
# than let it eat the machine.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_evil.sh
. "${top_srcdir:-.}/tests/netns/lib_evil.sh"

te_init
limit=$((50 * 1024))
# Under AddressSanitizer freed memory waits in a quarantine (256 MB by
# default) before reuse: held by the sanitizer, not by carpd.  Keep it
# small, so that what is measured is what the parent keeps.
[ -n "${ASAN_OPTIONS:-}" ] && export ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=8"
touch "$TB_DIR/slow"
te_carpd flood EVIL_COUNT=4000
max=0
end=$(tb_deadline 40)
while [ "$(tb_now_us)" -lt "$end" ]; do
	rss=$(te_parent_rss)
	[ -n "$rss" ] || break
	[ "$rss" -gt "$max" ] && max=$rss
	if [ "$rss" -gt $((200 * 1024)) ]; then
		kill -9 "${TB_PID[a]}"
		tb_fail "the parent grew to $((rss / 1024)) MB during the flood"
	fi
	[ -e "$TB_DIR/evil/done" ] && break
	sleep 0.1
done
te_wait_done 1 || tb_fail "the evil child did not finish its flood in 40 s (max RSS $((max / 1024)) MB)"
sleep 1
hwm=$(te_parent_hwm)
kill -9 "${TB_PID[a]}"		# the queued scripts would run for long
[ -n "$hwm" ] || tb_fail "the parent is gone after the flood"
sent=$(cat "$TB_DIR/evil/flood-sent")
lines=$(tb_count a "$TE_REFUSED")
tb_log "flood: $sent messages, parent RSS max $((max / 1024)) MB, VmHWM $((hwm / 1024)) MB, $lines refusal lines"
[ "$max" -lt "$limit" ] || tb_fail "the parent's RSS reached $((max / 1024)) MB (limit 50)"
[ "$hwm" -lt "$limit" ] || tb_fail "the parent's VmHWM is $((hwm / 1024)) MB (limit 50)"
[ "$lines" -lt 200 ] || tb_fail "$lines refusal lines for one flood: the log is not rate-limited"
tb_pass "flood of $sent requests, half of 200 kB: parent RSS at most $((max / 1024)) MB, VmHWM $((hwm / 1024)) MB"
