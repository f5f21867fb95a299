#!/usr/bin/env bash
# SIGTERM on the master: it runs its down script, the VIP leaves it, it
# exits 0, and its bow-out advert lets the backup take over at once (well
# before the backup's 3.39 s master-down interval).
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

VIP=192.0.2.100
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
pass=$(tb_passfile group "sigterm $$")
tb_capture || tb_fail "tcpdump did not start"

common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1)
tb_carpd a "${common[@]}" -k 0 -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_settled "$VIP" a 8 || tb_fail "a did not become the only holder"
a_downs=$(tb_events ' a down ')

t_term=$(date +%s.%N)
tb_signal a TERM
tb_wait_exit a 10 || tb_fail "a did not exit within 10 s of SIGTERM"
[ "$TB_RC" -eq 0 ] || tb_fail "a exited $TB_RC, not 0"
tb_events_more ' a down ' "$a_downs" ||
	tb_fail "a did not run its down script"
tb_has a "$VIP" && tb_fail "a still holds the VIP after exiting"
tb_wait_settled "$VIP" b 10.2 || tb_fail "b did not take over"
took=$(tb_elapsed "$t_term" "$(tb_event_time ' b up ')")
tb_wait_log b 'vhid 7 on eth0: BACKUP -> MASTER \(master-bowed-out\)' 2 ||
	tb_fail "b: no BACKUP -> MASTER (master-bowed-out) line"
tb_lt "$took" 2 || tb_fail "b took over $took s after SIGTERM: no bow-out?"
tb_holds 1 tb_only_holder "$VIP" b || tb_fail "b did not stay the only holder"
tb_capture_stop
tb_adverts | grep -q ' 192\.0\.2\.1 > 224\.0\.0\.18: CARPv2-advertise 36: vhid=7 advbase=255 advskew=255 ' ||
	tb_fail "no bow-out advert (advbase 255, advskew 255) from a on the wire"

tb_pass "a exited 0, b took over $took s after SIGTERM"
