#!/usr/bin/env bash
# The firewall pair (lib_fw.sh) with connection-state sync: a TCP stream
# from the client to the server through the virtual gateway, SNAT to the
# outside virtual address, survives a crash of the master firewall
# because conntrackd (Debian's, FTFW over a third, dedicated link)
# replicated its connection to the backup and the shipped
# examples/conntrackd-up.sh committed it there when carpd made it master.
# The firewalls are strict (fw_strict: nf_conntrack_tcp_loose=0, packets
# of no known connection dropped), so only the synced state can carry the
# stream on: the same run without conntrackd (the plain vip-up.sh and
# vip-down.sh examples), done first in a child run of this script on a
# bed of its own, must see the stream die (a reset, or no byte for 20 s
# after the takeover).  A crash: every process of fw1 (both carpd
# processes, conntrackd, any script) stopped and then killed at once,
# its addresses gone and its switch ports forwarding nothing.  Prints
# the stall: the longest gap in the data the server got.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"
# shellcheck source=tests/netns/lib_fw.sh
. "${top_srcdir:-.}/tests/netns/lib_fw.sh"

mode=${1:-sync}
CT_STREAM=${top_srcdir:-.}/tests/netns/tools/tcp_stream.py
CT_EX=${top_srcdir:-.}/examples
CT_PORT=5001

if [ "$mode" = sync ]; then
	[ "$(id -u)" -eq 0 ] || { echo "${0##*/}: SKIP: needs root" >&2; exit 77; }
	[ -x "$FW_CTD" ] || { echo "${0##*/}: SKIP: no conntrackd (Debian conntrackd)" >&2; exit 77; }
	tb_log "first the run without conntrackd: the stream must die"
	"$BASH" "$0" nosync
	rc=$?
	case $rc in
	0) ;;
	77 | 99) exit "$rc" ;;	# it skipped (no nft) or could not build its bed
	*) echo "${0##*/}: FAIL: the run without conntrackd (exit $rc)" >&2; exit 1 ;;
	esac
fi

tb_init
fw_bed
fw_synclink
fw_strict
# The shipped examples, as installed: root's, mode 755, side by side.
mkdir -p "$TB_DIR/ex"
for f in vip-up.sh vip-down.sh conntrackd-up.sh conntrackd-down.sh; do
	install -m 755 "$CT_EX/$f" "$TB_DIR/ex/$f" || exit 99
done
if [ "$mode" = sync ]; then
	FW_UP=$TB_DIR/ex/conntrackd-up.sh FW_DOWN=$TB_DIR/ex/conntrackd-down.sh
	fw_ct_start fw1
	fw_ct_start fw2
else
	FW_UP=$TB_DIR/ex/vip-up.sh FW_DOWN=$TB_DIR/ex/vip-down.sh
fi
fw_conf fw1 0
fw_conf fw2 100
# carpd passes its environment to the scripts: each firewall's own
# conntrackd configuration, where vip-up.sh and vip-down.sh are.
ct_carpd() {
	tb_daemon "$1" env CONNTRACKD_CONF="$TB_DIR/$1.ctd.conf" \
	    VIP_UP="$TB_DIR/ex/vip-up.sh" VIP_DOWN="$TB_DIR/ex/vip-down.sh" \
	    "$CARPD" -c "$TB_DIR/$1.conf"
}
ct_carpd fw1
fw_wait fw1 10 || tm_fail "fw1 did not hold both addresses"
ct_carpd fw2
t_fw2=$EPOCHREALTIME
tm_wait_ctl fw2 10 || tm_fail "fw2's carpd did not start"
tm_wait_state fw2 1 eth0 BACKUP 10 || tm_fail "fw2 is not backup"
tm_wait_state fw2 2 eth1 BACKUP 10 || tm_fail "fw2 is not backup"
fw_wait_reach 5 || tm_fail "the client did not reach the server through fw1"

tb_daemon server "$TM_PY" "$CT_STREAM" recv "$CT_PORT" "$TB_DIR/recv.state"
tb_until 5 test -s "$TB_DIR/recv.state" || tm_fail "the receiver did not start"
sleep 0.3
tb_daemon client "$TM_PY" "$CT_STREAM" send "$FW_SERVER" "$CT_PORT" \
    "$TB_DIR/send.state"
sender=${TB_PID[client]}
tb_until 10 fw_stream_bytes_over 50000 || tm_fail "no data reached the server"
"$TB_IP" netns exec "${TB_NS[fw1]}" conntrack -L -p tcp --dport "$CT_PORT" \
    2>/dev/null | grep -q "src=192.0.2.100 .*dst=$FW_OUT " ||
    tm_fail "fw1 does not track the stream, SNATed to $FW_OUT"
if [ "$mode" = sync ]; then
	tb_until 10 eval "fw_ct fw2 -e 2>/dev/null | grep -q 'dport=$CT_PORT .*ESTABLISHED\\|ESTABLISHED .*dport=$CT_PORT'" ||
	    tm_fail "fw2's conntrackd did not learn the stream"
fi
sleep 2
fw_stream_ended && tm_fail "the stream ended before the crash"

tb_log "crash of fw1 (carpd and conntrackd: SIGSTOP, SIGKILL)"
t_crash=$EPOCHREALTIME
fw_freeze fw1
b_crash=$(fw_stream_field "$TB_DIR/recv.state" bytes)
fw_wait fw2 10 || tm_fail "fw2 did not take both addresses"
t_over=$EPOCHREALTIME
b_over=$(fw_stream_field "$TB_DIR/recv.state" bytes)
tb_log "fw2 holds both $(tb_elapsed "$t_crash" "$t_over") s after the crash"

if [ "$mode" = nosync ]; then
	# Dead: a reset, or not one byte more for 20 s after the takeover.
	if tb_until 20 fw_stream_bytes_over "$b_over"; then
		fw_stream_ended ||
		    tm_fail "the stream went on without conntrackd: the sync test would prove nothing"
	fi
	tb_log "without conntrackd: receiver $(cat "$TB_DIR/recv.state")"
	tb_log "without conntrackd: sender $(cat "$TB_DIR/send.state")"
	tb_pass "without conntrackd the stream died at the takeover"
fi

# Flowing again: 50 kB more (5 s of data) within 30 s, no reset.
tb_until 30 fw_stream_bytes_over $((b_over + 50000)) ||
    tm_fail "no data flowed after the takeover (had $b_crash bytes at the crash)"
t_flow=$EPOCHREALTIME
fw_stream_ended && tm_fail "the stream was reset or closed"
"$TB_IP" netns exec "${TB_NS[fw2]}" conntrack -L -p tcp --dport "$CT_PORT" \
    2>/dev/null | grep -q "src=192.0.2.100 .*dst=$FW_OUT " ||
    tm_fail "fw2's kernel does not track the stream"
tb_loggrep fw2 'vhid 1 on eth0: BACKUP -> MASTER' ||
    tm_fail "fw2's carpd did not log its takeover"
# conntrackd-up.sh's steps, in fw2's conntrackd log.
for step in 'Committed 1 new entries' 'flushing internal cache' \
    'resync with master conntrack table' 'sending bulk update'; do
	grep -q "$step" "$TB_DIR/fw2.ctd.log" ||
	    tm_fail "fw2's conntrackd log has no \"$step\" after the takeover"
done
# fw2's down script (conntrackd -t, at its start as backup) scheduled a
# flush of its kernel table; the commit must have cancelled it.
t_purge=$(awk -v t="$t_fw2" -v p="$FW_CT_PURGE" 'BEGIN { printf "%.3f", t + p + 2 }')
tb_lt "$EPOCHREALTIME" "$t_purge" && sleep "$(tb_elapsed "$EPOCHREALTIME" "$t_purge")"
b=$(fw_stream_field "$TB_DIR/recv.state" bytes)
tb_until 10 fw_stream_bytes_over $((b + 20000)) ||
    tm_fail "the stream stopped after fw2's PurgeTimeout"
fw_stream_ended && tm_fail "the stream was reset after fw2's PurgeTimeout"
grep -q 'flushing kernel conntrack table' "$TB_DIR/fw2.ctd.log" &&
    tm_fail "fw2's conntrackd flushed the kernel table of the new master"
kill -TERM "$sender"
tb_until 5 eval "fw_stream_field $TB_DIR/send.state end | grep -q closed" ||
    tm_fail "the sender did not close cleanly"
tb_until 5 eval "fw_stream_field $TB_DIR/recv.state end | grep -q eof" ||
    tm_fail "the server did not see a clean end of the stream"
stall=$(fw_stream_field "$TB_DIR/recv.state" max_gap)
gap_end=$(fw_stream_field "$TB_DIR/recv.state" gap_end)
tb_lt "$t_crash" "$gap_end" || tm_fail "the longest gap was not at the crash"
tb_log "receiver $(cat "$TB_DIR/recv.state")"
tb_pass "the stream survived the crash of fw1: stall $(printf '%.3f' "$stall") s" \
    "(takeover $(tb_elapsed "$t_crash" "$t_over") s, 50 kB more after $(tb_elapsed "$t_crash" "$t_flow") s)"
