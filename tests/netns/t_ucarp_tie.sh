#!/usr/bin/env bash
# A tie between carpd and Debian's ucarp: equal advbase and advskew, both
# MASTER at the same time.  The tie goes to the source address that is
# lower read as a little-endian number (ucarp on amd64/arm64, and carpd on
# any host; doc/protocol.md, "Tie-break").  The two hosts are on one link
# with addresses from two documentation nets, chosen so that network
# order and that order disagree:
#   a 192.0.2.10    network order: lower   ucarp's order: higher (0x0a0200c0)
#   b 198.51.100.1  network order: higher  ucarp's order: lower  (0x016433c6)
# so ucarp's rule keeps b.  Both are cut off from each other (the switch
# stops forwarding, the carrier stays up) until each is MASTER, then the
# LAN heals.  Cases:
#   1. carpd on a, ucarp on b, started at the same instant
#   2. the same, carpd started (and MASTER) first
#   3. the same, ucarp started (and MASTER) first
#   4. the roles swapped: carpd on b, ucarp on a, the same instant
# Each ends with b the only holder of the VIP, stable for 4 advert
# intervals, b never having left MASTER, a BACKUP.  (Comparing in network
# order, carpd on a stays MASTER beside ucarp for ever in 1-3, and carpd
# on b steps down in 4, and so does ucarp: the group flaps.)
#   5. carpd on a, ucarp on b, started at the same instant on an open LAN:
#      one master, stable; if both became MASTER, b.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

VIP=203.0.113.100
PASS="tie$$"
tb_init
tb_switch
tb_host a 192.0.2.10/24
tb_host b 198.51.100.1/24
tb_scripts
passfile=$(tb_passfile group "$PASS")
declare -A KIND=() MARK=()

block() {
	bridge -n "$TB_SW" link set dev "${TB_PORT[$1]}" state 0
}

unblock() {
	bridge -n "$TB_SW" link set dev "${TB_PORT[$1]}" state 3
}

# start HOST: the host's daemon (KIND[HOST]) with the group's options;
# MARK[HOST] is where its log of this case begins.
start() {
	local h=$1 n=0
	[ -f "$TB_DIR/$h.log" ] && n=$(wc -l <"$TB_DIR/$h.log")
	MARK[$h]=$((n + 1))
	if [ "${KIND[$h]}" = ucarp ]; then
		tb_ucarp "$h" -i eth0 -s "${TB_ADDR[$h]}" -v 7 -p "$PASS" \
		    -a "$VIP" -b 1 -k 20 -u "$TB_DIR/$h.up" -d "$TB_DIR/$h.down"
	else
		tb_carpd "$h" -i eth0 -v 7 -o "$passfile" \
		    -a "$VIP" -b 1 -k 20 -u "$TB_DIR/$h.up" -d "$TB_DIR/$h.down"
	fi
}

# caselog HOST: HOST's log since its start in this case.
caselog() {
	tail -n "+${MARK[$1]}" "$TB_DIR/$1.log"
}

# transitions HOST STATE: how many times HOST entered STATE in this case.
transitions() {
	local re
	if [ "${KIND[$1]}" = ucarp ]; then
		re="Switching to state: $2"
	else
		re="vhid 7 on eth0: [A-Z]+ -> $2 "
	fi
	caselog "$1" | grep -Ec -- "$re"
}

# last_state HOST: the state HOST last logged entering in this case.
# shellcheck disable=SC2317 # called through tb_until
last_state() {
	caselog "$1" | grep -Eo -- \
	    '(Switching to state: |vhid 7 on eth0: [A-Z]+ -> )[A-Z]+' |
	    tail -n 1 | awk '{ print $NF }'
}

# shellcheck disable=SC2317 # called through tb_until
is_master() {
	[ "$(last_state "$1")" = MASTER ]
}

# shellcheck disable=SC2317 # called through tb_until
both_master() {
	is_master a && is_master b
}

# settled HOST OTHER: HOST the only holder and MASTER, OTHER BACKUP.
# shellcheck disable=SC2317 # called through tb_until
settled() {
	tb_only_holder "$VIP" "$1" && is_master "$1" &&
	    [ "$(last_state "$2")" = BACKUP ]
}

# shellcheck disable=SC2317 # called through tb_until
one_master() {
	settled a b || settled b a
}

# understood N: neither side rejected an advert of the other in case N.
understood() {
	local h
	{ tb_alive a && tb_alive b; } || tb_fail "$1: a daemon died"
	for h in a b; do
		if [ "${KIND[$h]}" = carpd ]; then
			caselog "$h" | grep -q 'dropped packet' &&
			    tb_fail "$1: $h (carpd) dropped adverts"
		else
			caselog "$h" | grep -q 'Bad ' &&
			    tb_fail "$1: $h (ucarp) rejected adverts"
		fi
	done
	return 0
}

# tie N WHAT ORDER: case N, ORDER "together", "a" or "b" (who starts
# first, and is MASTER before the other starts).
tie() {
	local n=$1 what=$2 order=$3
	block a
	block b
	case $order in
	together)
		start a
		start b
		;;
	*)
		start "$order"
		tb_until 8 is_master "$order" || tb_fail "$n: $order did not become MASTER alone"
		if [ "$order" = a ]; then
			start b
		else
			start a
		fi
		;;
	esac
	tb_until 8 both_master || tb_fail "$n: a and b did not both become MASTER"
	tb_log "$n. $what: both MASTER, healing"
	unblock a
	unblock b
	tb_until 8 settled b a || tb_fail "$n: $what: no single master (b) after the heal"
	tb_holds 4 settled b a || tb_fail "$n: $what: b did not stay the only master"
	[ "$(transitions b MASTER)" -eq 1 ] ||
		tb_fail "$n: $what: b (${KIND[b]}) left MASTER"
	[ "$(transitions b BACKUP)" -eq 1 ] ||
		tb_fail "$n: $what: b (${KIND[b]}) stepped down"
	[ "$(transitions a MASTER)" -eq 1 ] ||
		tb_fail "$n: $what: a (${KIND[a]}) became MASTER again"
	understood "$n"
	tb_log "$n. $what: b (${KIND[b]}) kept the VIP, a (${KIND[a]}) BACKUP"
	tb_crash a
	tb_crash b
}

KIND=([a]=carpd [b]=ucarp)
tie 1 "carpd on a, ucarp on b, together" together
tie 2 "carpd on a first, then ucarp on b" a
tie 3 "ucarp on b first, then carpd on a" b
KIND=([a]=ucarp [b]=carpd)
tie 4 "ucarp on a, carpd on b, together" together

# 5. No partition, started at the same instant: ucarp wakes up to check
# its timer up to 1 s late, so either one may be MASTER first and keep
# it (the other hears it while still BACKUP: no tie, and without
# --preempt an equal peer is left alone), or both are, and then b wins.
KIND=([a]=carpd [b]=ucarp)
start a
start b
tb_until 10 one_master || tb_fail "5: no single master after a start together"
# ucarp may wake up to a timer that ran out while carpd's first advert
# waited in its capture buffer: both MASTER a moment later.
sleep 2.5
tb_until 5 one_master || tb_fail "5: no single master after a start together"
if settled a b; then
	win=a lose=b
else
	win=b lose=a
fi
tb_holds 4 settled "$win" "$lose" || tb_fail "5: $win did not stay the only master"
[ "$(transitions "$win" BACKUP)" -eq 1 ] || tb_fail "5: $win (${KIND[$win]}) left MASTER"
if [ "$win" = a ] && [ "$(transitions b MASTER)" -ne 0 ]; then
	tb_fail "5: both became MASTER and a (${KIND[a]}) won the tie"
fi
understood 5
ties=tie
[ "$(transitions "$lose" MASTER)" -eq 0 ] && ties="no tie"
tb_log "5. carpd on a, ucarp on b, together on an open LAN: $win (${KIND[$win]}) master ($ties)"
tb_pass "five starts, one master each; every tie kept by b (ucarp's rule)"
