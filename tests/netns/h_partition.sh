#!/usr/bin/env bash
# Partitions and heals, with the scripts checked in order on both sides.
#  1. The master's switch port goes down (tb_partition: the master loses
#     carrier): the backup takes over; on heal the preferred, preempting
#     master takes the address back within about two advert intervals.
#  2. A silent partition (the switch port stops forwarding, the carrier
#     stays): both sides are master for a while (nothing else is
#     possible); on heal exactly one master is left within about two
#     advert intervals: the preferred one.
#  3. The preferred host, restarted without --preempt, loses its port
#     while master: on heal it stays backup and the other one, which won
#     the election meanwhile, stays the only master.
# Throughout, each host's up and down scripts alternate (down at start,
# up, down, ...) and match who holds the address.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_hard.sh
. "${top_srcdir:-.}/tests/netns/lib_hard.sh"

VIP=192.0.2.100
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
pass=$(tb_passfile group "partition $$")

common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1)
th_mark a start
tb_carpd a "${common[@]}" -k 0 -P -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
th_mark b start
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_settled "$VIP" a 8 || tb_fail "a did not become the only holder"

order_ok() {
	local h seq
	for h in a b; do
		seq=$(th_order_ok "$h") || tb_fail "$1: $h's scripts out of order:$seq"
		if tb_has "$h" "$VIP"; then
			[ "$(th_last_event "$h")" = up ] ||
				tb_fail "$1: $h holds the address, its last script was not up:$seq"
		else
			[ "$(th_last_event "$h")" = down ] ||
				tb_fail "$1: $h lacks the address, its last script was not down:$seq"
		fi
	done
}

# 1. Carrier loss on a's side.  b hears no bow-out (a's link is down) and
# takes over after its master-down interval, 3.39 s.
t0=$(date +%s.%N)
tb_partition a
tb_wait_log a 'vhid 7 on eth0: MASTER -> INIT \(link-down\)' 3 ||
	tb_fail "1: a: no MASTER -> INIT (link-down)"
tb_wait_settled "$VIP" b 10.2 || tb_fail "1: b did not take over"
took1=$(tb_elapsed "$t0" "$(tb_event_time ' b up ')")
order_ok 1
t0=$(date +%s.%N)
tb_heal a
# Link up, then b's next advert (every 1.39 s) makes a preempt, and a's
# advert makes b step down: two of b's intervals, 2.8 s, and slack.
tb_wait_settled "$VIP" a 4.5 || tb_fail "1: a did not take back the address after the heal"
heal1=$(tb_elapsed "$t0" "$(tb_event_time ' b down ')")
tb_loggrep a 'vhid 7 on eth0: INIT -> BACKUP \(link-up\)' ||
	tb_fail "1: a: no INIT -> BACKUP (link-up)"
tb_holds 1.5 tb_only_holder "$VIP" a || tb_fail "1: a did not stay the only holder"
order_ok 1

# 2. Silent partition of a: both become master.
t0=$(date +%s.%N)
th_block a
tb_wait_master b "$VIP" 10.2 || tb_fail "2: b did not take over in the partition"
took2=$(tb_elapsed "$t0" "$(tb_event_time ' b up ')")
tb_has a "$VIP" || tb_fail "2: a lost the address in a silent partition"
[ "$(tb_count a 'link-down')" -eq 1 ] || tb_fail "2: a saw a link change"
order_ok 2
t0=$(date +%s.%N)
th_unblock a
# The first advert either side hears settles it: a within 1 s or b
# within 1.39 s; a master that hears a lesser master answers at once.
tb_wait_settled "$VIP" a 3.5 || tb_fail "2: not exactly one master (a) after the heal"
heal2=$(tb_elapsed "$t0" "$(tb_event_time ' b down ')")
tb_loggrep b 'vhid 7 on eth0: MASTER -> BACKUP \(preferred-master\)' ||
	tb_fail "2: b: no MASTER -> BACKUP (preferred-master)"
tb_holds 1.5 tb_only_holder "$VIP" a || tb_fail "2: a did not stay the only holder"
order_ok 2

# 3. a without --preempt.  A clean stop (bow-out) hands over to b, which
# keeps the address when a comes back.
tb_signal a TERM
tb_wait_exit a 5 || tb_fail "3: a did not exit on SIGTERM"
tb_wait_settled "$VIP" b 3 || tb_fail "3: b did not take over from the bowing out a"
th_mark a start
tb_carpd a "${common[@]}" -k 0 -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_wait_log a 'INIT -> BACKUP \(startup\)' 3 || tb_fail "3: a did not start"
tb_holds 2 tb_only_holder "$VIP" b || tb_fail "3: a took over without --preempt"
# Now b is the master; its port goes down and comes back.
tb_partition b
tb_wait_log b 'vhid 7 on eth0: MASTER -> INIT \(link-down\)' 3 ||
	tb_fail "3: b: no MASTER -> INIT (link-down)"
tb_wait_settled "$VIP" a 10.2 || tb_fail "3: a did not take over from b"
order_ok 3
t0=$(date +%s.%N)
tb_heal b
tb_wait_log b 'vhid 7 on eth0: INIT -> BACKUP \(link-up\)' 3 ||
	tb_fail "3: b: no INIT -> BACKUP (link-up)"
# b, less preferred and not preempting, stays backup; a stays master.
tb_holds 3 tb_only_holder "$VIP" a || tb_fail "3: a did not stay the only master"
order_ok 3
tb_alive a || tb_fail "a died"
tb_alive b || tb_fail "b died"

tb_pass "carrier cut: b took over in $took1 s, a back $heal1 s after the heal;" \
    "silent cut: b master in $took2 s, one master $heal2 s after the heal;" \
    "scripts in order: a$(th_order_ok a), b$(th_order_ok b)"
