#!/usr/bin/env bash
# A bow-out hands over to exactly one backup.  a (advskew 0, --preempt)
# is master; SIGTERM makes it bow out; only the most preferred backup
# runs its up script, every round (a comes back and preempts between
# rounds).
#  1. three carpd hosts: a, b (advskew 40), c (80): 3 rounds.
#  2. four: d (160) joins: 3 rounds.
#  3. a ucarp backup u (advskew 200) joins: b is still the only carpd to
#     run its up script and ends the only holder.  ucarp takes over on a
#     bow-out at once (if it reads the advert in time: its capture may be
#     up to 1 s late) and steps down on b's advert; that is ucarp's.  As
#     the preferred backup ucarp is too slow to go first: b's wait is over
#     by then.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

VIP=192.0.2.100
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_host c 192.0.2.3/24
tb_host d 192.0.2.4/24
tb_host u 192.0.2.5/24
tb_scripts
PASS="handover $$"
pass=$(tb_passfile group "$PASS")
common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1)
start() {	# HOST SKEW [ARGS...]
	local h=$1 k=$2
	shift 2
	tb_carpd "$h" "${common[@]}" -k "$k" "$@" -u "$TB_DIR/$h.up" \
	    -d "$TB_DIR/$h.down"
}
start a 0 -P
start b 40
start c 80
tb_wait_settled "$VIP" a 8 || tb_fail "a did not become the only holder"

# round N WINNER LOSERS...: SIGTERM a; only WINNER runs an up script.
round() {
	local n=$1 w=$2 h before
	shift 2
	declare -A ups=()
	for h in "$w" "$@"; do
		ups[$h]=$(tb_events " $h up ")
	done
	tb_signal a TERM
	tb_wait_exit a 5 || tb_fail "round $n: a did not exit"
	tb_wait_events " $w up " "${ups[$w]}" 3 || tb_fail "round $n: $w did not take over"
	# Well past any hand-over wait and the losers' scripts.
	sleep 0.5
	for h in "$@"; do
		[ "$(tb_events " $h up ")" -eq "${ups[$h]}" ] ||
			tb_fail "round $n: $h ran its up script too"
	done
	[ "$(tb_events " $w up ")" -eq $((${ups[$w]} + 1)) ] ||
		tb_fail "round $n: $w ran its up script more than once"
	tb_only_holder "$VIP" "$w" || tb_fail "round $n: $w is not the only holder"
	before=$(tb_events ' a up ')
	start a 0 -P
	tb_wait_events ' a up ' "$before" 8 || tb_fail "round $n: a did not come back"
	tb_wait_settled "$VIP" a 3 || tb_fail "round $n: a is not the only holder"
	tb_log "round $n: only $w took over"
}
for n in 1 2 3; do round "$n" b c; done
start d 160
tb_wait_log d 'vhid 7 on eth0: INIT -> BACKUP' 3 || tb_fail "d did not start"
for n in 4 5 6; do round "$n" b c d; done
tb_ucarp u -i eth0 -s "${TB_ADDR[u]}" -v 7 -p "$PASS" -a "$VIP" -b 1 -k 200 \
    -u "$TB_DIR/u.up" -d "$TB_DIR/u.down"
sleep 1.5
u0=$(tb_events ' u up ')
round 7 b c d
round 8 b c d
tb_log "ucarp's own extra takeovers: $(($(tb_events ' u up ') - u0))"
tb_pass "8 rounds with 3, 4 and 4 carpd + 1 ucarp hosts: one carpd up script each"
