#!/usr/bin/env bash
# Many vhids on two interfaces, one carpd per host, one config file each.
# Three hosts on two LANs (eth0: 192.0.2.0/24 on br0, eth1: 198.51.100.0/24
# on br1); vhids 1-3 on eth0, 4-6 on eth1; a is preferred (advskew 0) for
# 1 and 4, b for 2 and 5, c for 3 and 6.  Every vhid has exactly one
# MASTER, the intended host (carpctl status --json and who holds the VIP).
# Then b's daemon is killed (kill -9 of the PID we started, the privileged
# parent; its network process must follow it) and b's VIPs removed:
# vhids 2 and 5 move to their second choice, c; the other vhids keep
# their master and see no new transition.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

HOSTS=(a b c)
declare -A NUM=([a]=1 [b]=2 [c]=3)
# vhid -> its interface, VIP, preferred host, second choice
declare -A IFC=() VIP=() PREF=() SECOND=()
for v in 1 2 3 4 5 6; do
	i=$(((v - 1) % 3))
	PREF[$v]=${HOSTS[$i]}
	SECOND[$v]=${HOSTS[$(((i + 1) % 3))]}
	if [ "$v" -le 3 ]; then
		IFC[$v]=eth0; VIP[$v]=192.0.2.10$v
	else
		IFC[$v]=eth1; VIP[$v]=198.51.100.10$v
	fi
done

tb_init
tb_switch
tm_switch2
for h in "${HOSTS[@]}"; do
	tb_host "$h" "192.0.2.${NUM[$h]}/24"
	tm_iface "$h" eth1 "198.51.100.${NUM[$h]}/24"
done
tb_scripts
pass0=$(tb_passfile lan0 "multi0 $$")
pass1=$(tb_passfile lan1 "multi1 $$")

# skew H V: 0 for the preferred host, 50 for the second choice, else 100.
skew() {
	if [ "$1" = "${PREF[$2]}" ]; then
		echo 0
	elif [ "$1" = "${SECOND[$2]}" ]; then
		echo 50
	else
		echo 100
	fi
}

for h in "${HOSTS[@]}"; do
	{
		tm_globals "$h"
		for n in 0 1; do
			[ "$n" = 0 ] && pf=$pass0 || pf=$pass1
			cat <<-EOF
			interface eth$n {
				passfile $pf
				preempt
				upscript $TB_DIR/$h.up
				downscript $TB_DIR/$h.down
			EOF
			for v in 1 2 3 4 5 6; do
				[ "${IFC[$v]}" = "eth$n" ] || continue
				printf '\tvhid %s { addr %s; advskew %s }\n' "$v" \
				    "${VIP[$v]}" "$(skew "$h" "$v")"
			done
			echo "}"
		done
	} | tm_conf "$h"
	"$CARPD" -t -c "$TB_DIR/$h.conf" >/dev/null ||
	    tb_fail "$h.conf does not check: $("$CARPD" -t -c "$TB_DIR/$h.conf" 2>&1)"
	tm_carpd_conf "$h"
done
for h in "${HOSTS[@]}"; do
	tm_wait_ctl "$h" 5 || tm_fail "$h: no answer on the control socket"
done

# one_master V: exactly one host reports MASTER for V, the one expected
# ($2), and it is the only holder of the VIP.
one_master() {
	local v=$1 want=$2 h masters=""
	for h in "${HOSTS[@]}"; do
		tb_alive "$h" || continue
		[ "$(tm_state "$h" "$v" "${IFC[$v]}")" = MASTER ] && masters+="$h "
	done
	[ "$masters" = "$want " ] && tm_only_holder "${IFC[$v]}" "${VIP[$v]}" "$want"
}

# shellcheck disable=SC2317 # called through tb_until
all_settled() {
	local v
	for v in 1 2 3 4 5 6; do
		one_master "$v" "${PREF[$v]}" || return 1
	done
}

tb_until 12 all_settled || tm_fail "the vhids did not settle on their preferred hosts"
tb_holds 2 all_settled || tm_fail "the vhids did not stay on their preferred hosts"

# The backups follow the right master: the MASTER column is the master's
# address on that interface.
for v in 1 2 3 4 5 6; do
	p=${PREF[$v]}
	[ "${IFC[$v]}" = eth0 ] && want=192.0.2.${NUM[$p]} || want=198.51.100.${NUM[$p]}
	for h in "${HOSTS[@]}"; do
		got=$(tm_row "$h" "$v" "${IFC[$v]}" | awk '{ print $6 }')
		[ "$got" = "$want" ] ||
		    tm_fail "$h: vhid $v: master $got, expected $want"
	done
done
tb_log "settled: a has 1,4; b has 2,5; c has 3,6"

# Snapshot: per host and vhid, transitions and last change.
declare -A BEFORE=()
snapshot() {
	local h row
	for h in "${HOSTS[@]}"; do
		tb_alive "$h" || continue
		while read -r row; do
			# shellcheck disable=SC2086 # the fields of a row
			set -- $row
			BEFORE[$h,$1,$2]="$4 $5"
		done < <(tm_table "$h")
	done
}
snapshot
[ "${#BEFORE[@]}" -eq 18 ] || tm_fail "expected 18 vhid rows, got ${#BEFORE[@]}"
events_before=$(wc -l <"$TB_EVENTS")

# The crash: kill -9 of the PID we started (the privileged parent); the
# network process must not outlive it; then b's VIPs go.
tm_kill_parent b 3 || tm_fail "b: processes left 3 s after kill -9 of the parent: $("$TB_IP" netns pids "${TB_NS[b]}" | tr '\n' ' ')"
tm_crash b
# shellcheck disable=SC2317 # called through tb_until
after_crash() {
	one_master 2 c && one_master 5 c
}
# c's master-down interval: 3 * 1 + 50/256 s; loosely 3x.
tb_until 10 after_crash || tm_fail "c did not take over vhids 2 and 5"
for v in 1 3 4 6; do
	one_master "$v" "${PREF[$v]}" || tm_fail "vhid $v lost its master ${PREF[$v]}"
done
tb_holds 2 after_crash || tm_fail "vhids 2 and 5 did not stay on c"

# The network process, left alone, bows out (advbase/advskew 255): every
# backup of vhids 2 and 5 takes over at once (the protocol's rule), so a
# may be MASTER for an instant and step down at c's first advert.  Its
# rows for 2 and 5 may count 0 or 2 more transitions; nothing else moves.
for h in a c; do
	while read -r row; do
		# shellcheck disable=SC2086 # the fields of a row
		set -- $row
		v=$1 ifname=$2
		prev=${BEFORE[$h,$v,$ifname]}
		if [ "$v" = 2 ] || [ "$v" = 5 ]; then
			if [ "$h" = c ]; then
				[ "$3" = MASTER ] || tm_fail "c: vhid $v is $3"
				[ "$4" -eq $((${prev%% *} + 1)) ] ||
				    tm_fail "c: vhid $v: $4 transitions, expected ${prev%% *} + 1"
				case $7 in
				master-down|master-bowed-out) ;;
				*) tm_fail "c: vhid $v: reason $7" ;;
				esac
			else
				[ "$3" = BACKUP ] || tm_fail "a: vhid $v is $3"
				d=$(($4 - ${prev%% *}))
				[ "$d" -eq 0 ] || [ "$d" -eq 2 ] ||
				    tm_fail "a: vhid $v: $d new transitions"
			fi
			continue
		fi
		[ "$4 $5" = "$prev" ] ||
		    tm_fail "$h: vhid $v on $ifname changed: transitions/last change $prev -> $4 $5"
	done < <(tm_table "$h")
done
# Script events since the crash: only for the VIPs of vhids 2 and 5; c
# ran its up script for both.
new=$(tail -n +"$((events_before + 1))" "$TB_EVENTS")
others=$(echo "$new" | grep -v -E " [ac] (up|down) eth(0 192\.0\.2\.102|1 198\.51\.100\.105) " | grep .)
[ -z "$others" ] || tm_fail "script events for other vhids after the crash: $others"
echo "$new" | grep -q " c up eth0 192.0.2.102 " || tm_fail "no up event of c for vhid 2"
echo "$new" | grep -q " c up eth1 198.51.100.105 " || tm_fail "no up event of c for vhid 5"
for h in a c; do
	tb_alive "$h" || tm_fail "$h died"
done

tb_pass "6 vhids on 2 interfaces on their preferred hosts; b's crash moved only 2 and 5"
