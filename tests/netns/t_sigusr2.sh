#!/usr/bin/env bash
# SIGUSR2 on the master forces it to BACKUP: it bows out, the backup takes
# over at once, and the forced node does not preempt back (even with
# --preempt and the better advskew) until the new master dies.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

VIP=192.0.2.100
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
pass=$(tb_passfile group "sigusr2 $$")
tb_capture || tb_fail "tcpdump did not start"

# Only a preempts: b then takes over because a bowed out, not because
# b itself preempts a less frequent master.
common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1)
tb_carpd a "${common[@]}" -k 0 -P -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_settled "$VIP" a 8 || tb_fail "a did not become the only holder"

t_usr2=$(date +%s.%N)
tb_signal a USR2
tb_wait_log a 'vhid 7 on eth0: MASTER -> BACKUP \(forced-backup\)' 2 ||
	tb_fail "a: no MASTER -> BACKUP (forced-backup) line"
tb_wait_settled "$VIP" b 10.2 || tb_fail "b did not take over"
took=$(tb_elapsed "$t_usr2" "$(tb_event_time ' b up ')")
tb_lt "$took" 2 || tb_fail "b took over $took s after SIGUSR2: no bow-out?"
tb_loggrep b 'vhid 7 on eth0: BACKUP -> MASTER \(master-bowed-out\)' ||
	tb_fail "b: no BACKUP -> MASTER (master-bowed-out) line"

# Longer than a's master-down interval (3 s) and several of b's adverts:
# a would preempt within 1.4 s if it were allowed to.
tb_holds 4.5 tb_only_holder "$VIP" b || tb_fail "a took the VIP back"
[ "$(tb_count a ' -> MASTER ')" -eq 1 ] || tb_fail "a became MASTER again"
tb_alive a || tb_fail "a died"

# On the wire: a's bow-out advert, then nothing from a (a backup is
# silent) while b is master.
bowout=' 192\.0\.2\.1 > 224\.0\.0\.18: CARPv2-advertise 36: vhid=7 advbase=255 advskew=255 '
tb_adverts | grep -q "$bowout" ||
	tb_fail "no bow-out advert (advbase 255, advskew 255) from a on the wire"
after=$(tb_adverts | sed -n "/$bowout/,\$p" | sed 1d | grep -c ' 192\.0\.2\.1 > ')
[ "$after" -eq 0 ] || tb_fail "a sent $after adverts as a forced backup"

# Once b dies, a is a backup like any other and takes over.
tb_crash b
tb_wait_settled "$VIP" a 9 || tb_fail "a did not take over from the dead b"
tb_loggrep a 'vhid 7 on eth0: BACKUP -> MASTER \(master-down\)' ||
	tb_fail "a: no BACKUP -> MASTER (master-down) line"

tb_pass "b took over $took s after SIGUSR2; a stayed BACKUP until b died"
