#!/usr/bin/env bash
# Sub-second adverts (-b 0): a (-k 10, an advert every 39 ms) is elected
# master over b (-k 20, 78 ms).  When a crashes (the whole daemon, frozen
# then killed: fb_crash), b takes over after its master-down interval of
# 3 * 78 ms = 234 ms (OpenBSD's formula for advbase 0), well within a
# loose 1.5 s, and is the only holder.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_fast.sh
. "${top_srcdir:-.}/tests/netns/lib_fast.sh"

VIP=192.0.2.100
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
pass=$(tb_passfile group "subsecond $$")

common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 0)
tb_carpd a "${common[@]}" -k 10 -P -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${common[@]}" -k 20 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_settled "$VIP" a 5 || tb_fail "a did not become the only holder"
tb_wait_log b 'vhid 7 on eth0: INIT -> BACKUP' 2 || tb_fail "b did not start"
# Many of b's master-down intervals: b hears a and stays backup.
tb_holds 1.5 tb_only_holder "$VIP" a || tb_fail "a did not stay the only holder"
tb_loggrep b ' -> MASTER ' && tb_fail "b became MASTER while a was up"

t_crash=$(date +%s.%N)
fb_crash a
tb_wait_settled "$VIP" b 5 || tb_fail "b did not take over"
tb_wait_log b 'vhid 7 on eth0: BACKUP -> MASTER \(master-down\)' 1 ||
	tb_fail "b: no BACKUP -> MASTER (master-down) line"
t_line=$(fb_logtime b 'vhid 7 on eth0: BACKUP -> MASTER \(master-down\)') ||
	tb_fail "b: no time stamp on the transition line"
line_took=$(tb_elapsed "$t_crash" "$t_line")
took=$(tb_elapsed "$t_crash" "$(tb_event_time ' b up ')")
tb_log "b: MASTER $line_took s, up script $took s after the crash"
# 3x the master-down interval is 0.7 s; bound it loosely.
tb_lt "$line_took" 1.5 || tb_fail "b became MASTER $line_took s after the crash"
tb_lt "$took" 1.5 || tb_fail "b's up script ran $took s after the crash"
# a's last advert left at most 39 ms before the crash: b waited for at
# least 234 - 39 ms (a little less for clock granularity).
tb_lt 0.15 "$line_took" || tb_fail "b became MASTER after $line_took s, before master-down"
tb_holds 1 tb_only_holder "$VIP" b || tb_fail "b did not stay the only holder"
[ "$(tb_count b ' -> MASTER ')" -eq 1 ] || tb_fail "b changed state more than once"
tb_alive b || tb_fail "b died"

tb_pass "b became MASTER $line_took s (up script $took s) after the crash"
