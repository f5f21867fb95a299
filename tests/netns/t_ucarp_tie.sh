#!/usr/bin/env bash
# A tie between carpd and Debian's ucarp: equal advbase and advskew, both
# MASTER at the same time.  The tie goes to the source address that is
# lower read as a little-endian number (ucarp on amd64/arm64, and carpd on
# any host; doc/protocol.md, "Election").  The two hosts are on one link
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
# on b steps down in 4.)
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

# settled: b the only holder, b MASTER, a BACKUP.
# shellcheck disable=SC2317 # called through tb_until
settled() {
	tb_only_holder "$VIP" b && is_master b &&
	    [ "$(last_state a)" = BACKUP ]
}

# tie N WHAT ORDER: case N, ORDER "together", "a" or "b" (who starts
# first, and is MASTER before the other starts).
tie() {
	local n=$1 what=$2 order=$3 h
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
	tb_until 8 settled || tb_fail "$n: $what: no single master (b) after the heal"
	tb_holds 4 settled || tb_fail "$n: $what: b did not stay the only master"
	[ "$(transitions b MASTER)" -eq 1 ] ||
		tb_fail "$n: $what: b (${KIND[b]}) left MASTER"
	[ "$(transitions b BACKUP)" -eq 1 ] ||
		tb_fail "$n: $what: b (${KIND[b]}) stepped down"
	[ "$(transitions a MASTER)" -eq 1 ] ||
		tb_fail "$n: $what: a (${KIND[a]}) became MASTER again"
	{ tb_alive a && tb_alive b; } || tb_fail "$n: $what: a daemon died"
	for h in a b; do
		if [ "${KIND[$h]}" = carpd ]; then
			caselog "$h" | grep -q 'dropped packet' &&
			    tb_fail "$n: $h (carpd) dropped adverts"
		else
			caselog "$h" | grep -q 'Bad ' &&
			    tb_fail "$n: $h (ucarp) rejected adverts"
		fi
	done
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
tb_pass "four ties, each kept by b (ucarp's rule)"
