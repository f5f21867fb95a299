#!/usr/bin/env bash
# Graceful hand-over between carpd hosts: a (-k 0) is master, b (-k 100,
# advbase 1: master-down interval 3.39 s) its backup.
#  1. SIGTERM to a: its bow-out advert (advbase 255, advskew 255) makes b
#     take over at once: within 1 s of the signal, reason master-bowed-out.
#  2. a comes back with --preempt and takes the VIP back; SIGUSR2 to a: the
#     same bow-out, b takes over within 1 s (master-bowed-out) and keeps
#     the VIP.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_fast.sh
. "${top_srcdir:-.}/tests/netns/lib_fast.sh"

VIP=192.0.2.100
BOWED='vhid 7 on eth0: BACKUP -> MASTER \(master-bowed-out\)'
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
pass=$(tb_passfile group "bowout $$")

common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1)
tb_carpd a "${common[@]}" -k 0 -P -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_settled "$VIP" a 8 || tb_fail "a did not become the only holder"
tb_wait_log b 'vhid 7 on eth0: INIT -> BACKUP' 2 || tb_fail "b did not start"
tb_holds 1 tb_only_holder "$VIP" a || tb_fail "a did not stay the only holder"

# took PHASE SIG T0 N: b's N-th bowed-out takeover, seconds from T0 to the
# transition line and to the up script's event; fails above 1 s.
took() {
	local line ev t_line
	tb_wait_events ' b up ' "$(($4 - 1))" 5 || tb_fail "$1: b did not take over"
	tb_wait_log b "$BOWED" 1 || tb_fail "$1: b: no BACKUP -> MASTER (master-bowed-out) line"
	[ "$(tb_count b "$BOWED")" -eq "$4" ] ||
		tb_fail "$1: b: $(tb_count b "$BOWED") master-bowed-out lines, not $4"
	t_line=$(fb_logtime b "$BOWED") || tb_fail "$1: no time stamp on b's line"
	line=$(tb_elapsed "$3" "$t_line")
	ev=$(tb_elapsed "$3" "$(tb_event_time ' b up ')")
	tb_log "$1: b MASTER $line s, up script $ev s after SIG$2"
	tb_lt "$line" 1.0 || tb_fail "$1: b became MASTER $line s after SIG$2"
	tb_lt "$ev" 1.0 || tb_fail "$1: b's up script ran $ev s after SIG$2"
	TOOK="$line s (up script $ev s)"
}

# 1. SIGTERM.
t_sig=$(date +%s.%N)
tb_signal a TERM
tb_wait_exit a 5 || tb_fail "a did not exit within 5 s of SIGTERM"
[ "$TB_RC" -eq 0 ] || tb_fail "a exited $TB_RC, not 0"
took TERM TERM "$t_sig" 1
term=$TOOK
tb_wait_settled "$VIP" b 2 || tb_fail "TERM: b is not the only holder"

# 2. a comes back, preempts b, then is forced to BACKUP by SIGUSR2.
tb_carpd a "${common[@]}" -k 0 -P -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_wait_settled "$VIP" a 5 || tb_fail "a did not take the VIP back"
tb_wait_log a 'vhid 7 on eth0: BACKUP -> MASTER \(preempt\)' 1 ||
	tb_fail "a: no BACKUP -> MASTER (preempt) line"
tb_holds 1 tb_only_holder "$VIP" a || tb_fail "a did not stay the only holder"
t_sig=$(date +%s.%N)
tb_signal a USR2
tb_wait_log a 'vhid 7 on eth0: MASTER -> BACKUP \(forced-backup\)' 1 ||
	tb_fail "a: no MASTER -> BACKUP (forced-backup) line"
took USR2 USR2 "$t_sig" 2
usr2=$TOOK
# Past a's master-down interval (3 s): a does not take the VIP back.
tb_holds 3.5 tb_only_holder "$VIP" b || tb_fail "USR2: b did not stay the only holder"
tb_alive a || tb_fail "a died"

tb_pass "b took over $term after SIGTERM, $usr2 after SIGUSR2"
