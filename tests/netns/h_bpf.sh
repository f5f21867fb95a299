#!/usr/bin/env bash
# The kernel's capture filter (doc/protocol.md, "Kernel filter").  a
# (master) and b (backup) run vhid 7 (IPv4) and vhid 9 (IPv6) on eth0
# from a file; x, a host with no daemon, sends junk of each kind the
# kernel should drop: bad TTL, fragments, CARP version 3, type 2, authlen
# 6, bad lengths, short frames, an advert for vhid 42 (configured on
# neither), IPv6 with a hop-by-hop header, IPv6 with hop limit 64.  None
# of it reaches carpd: every user-space drop counter of a stays where it
# was, and the kernel's count in carpctl status (JSON and text) grows by
# what was sent.  What the kernel must pass reaches carpd and is counted
# there: adverts with a wrong digest for vhids 7 (IPv4) and 9 (IPv6), one
# by one and in a burst of 3000 back to back (none lost); and
# vhid 8, added to both files by a reload: filtered before, counted by
# carpd after, and elected.  Nobody changes state on the way.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_hard.sh
. "${top_srcdir:-.}/tests/netns/lib_hard.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

N=40
BURST=3000
TB_IPV6=1
tb_init
th_need_scapy
tb_switch
th_plain_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_host x 192.0.2.66/24		# no daemon
tb_scripts
pass=$(tb_passfile group "bpf $$")

# conf HOST VHIDS...
conf() {
	local h=$1 v skew
	shift
	[ "$h" = a ] && skew=0 || skew=100
	tm_globals "$h"
	printf 'interface eth0 {\n\tpassfile %s\n\tadvskew %s\n' "$pass" "$skew"
	printf '\tupscript %s\n\tdownscript %s\n' "$TB_DIR/$h.up" "$TB_DIR/$h.down"
	for v in "$@"; do
		case $v in
		9) printf '\tvhid 9 { addr 2001:db8::109/64 }\n' ;;
		*) printf '\tvhid %s { addr 192.0.2.10%s }\n' "$v" "$v" ;;
		esac
	done
	echo "}"
}
conf a 7 9 | tm_conf a
conf b 7 9 | tm_conf b
tm_carpd_conf a
tm_carpd_conf b
tm_wait_ctl a 5 || tm_fail "a: no control socket"
tm_wait_ctl b 5 || tm_fail "b: no control socket"

# counters HOST: "FILTERED USERSPACE V7HMAC V8HMAC V9HMAC" from carpctl
# status --json: the kernel's count on eth0, every user-space drop
# (interface and vhids), the hmac drops of vhids 7, 8 and 9.
counters() {
	tm_ctl "$1" status --json | "$TM_PY" -c '
import json, sys
d = json.load(sys.stdin)
i = [i for i in d["interfaces"] if i["name"] == "eth0"][0]
user = sum(i["bad_packets"].values())
hmac = {7: 0, 8: 0, 9: 0}
for v in d["vhids"]:
    user += sum(v["bad_packets"].values())
    hmac[v["vhid"]] = v["bad_packets"]["hmac"]
print(i["kernel_filtered"], user, hmac[7], hmac[8], hmac[9])
'
}
field() { awk -v n="$2" '{ print $n }' <<<"$1"; }

# shellcheck disable=SC2317 # called through tb_until
a_masters() {
	local v
	for v in "$@"; do
		tm_state_is a "$v" eth0 MASTER && tm_state_is b "$v" eth0 BACKUP ||
		    return 1
	done
}
tb_until 10 a_masters 7 9 || tm_fail "a did not become master of 7 and 9"
tb_holds 1.5 a_masters 7 9 || tm_fail "a did not stay master of 7 and 9"
rows_a0="$(tm_row a 7 eth0) $(tm_row a 9 eth0)"
rows_b0="$(tm_row b 7 eth0) $(tm_row b 9 eth0)"

# send KIND VHID [COUNT]: N (or COUNT) frames from x, back to back.
send() {
	th_py x bpf_junk.py --iface eth0 --kind "$1" --vhid "$2" --count "${3:-$N}" ||
		tm_fail "bpf_junk.py --kind $1 failed: $(tail -3 "$TB_DIR/x.bpf_junk.log")"
}
# grew_by BEFORE AFTER FIELD: field FIELD went up by N, give or take
# nothing: nothing else on this LAN is CARP junk.
grew() {
	[ $(($(field "$2" "$3") - $(field "$1" "$3"))) -eq "$N" ]
}

# 1. Kernel drops: the kernel's count grows by N, user space sees nothing.
for junk in ttl:7 fragment:7 version:7 type:7 authlen:7 length:7 short:7 \
    hmac:42 ip6-exthdr:9 ip6-hoplimit:9; do
	kind=${junk%:*} vhid=${junk#*:}
	before=$(counters a)
	send "$kind" "$vhid"
	# shellcheck disable=SC2317 # called through tb_until
	settled() { grew "$before" "$(counters a)" 1; }
	tb_until 3 settled || true
	after=$(counters a)
	grew "$before" "$after" 1 ||
		tm_fail "$kind (vhid $vhid): the kernel's count went from $(field "$before" 1) to $(field "$after" 1), not up by $N"
	[ "$(field "$after" 2)" = "$(field "$before" 2)" ] ||
		tm_fail "$kind (vhid $vhid) reached carpd: user-space drops $(field "$before" 2) -> $(field "$after" 2)"
	tb_log "$kind (vhid $vhid): $N filtered by the kernel, none in user space"
done
tm_ctl a status | grep -Eq '^filtered by the kernel on eth0: [1-9][0-9]* frames$' ||
	tm_fail "a: no kernel count in the text status: $(tm_ctl a status)"
tm_ctl a metrics | grep -Eq '^carpd_interface_kernel_filtered_total\{interface="eth0"\} [1-9][0-9]*$' ||
	tm_fail "a: no kernel count in carpctl metrics"

# 2. What the kernel must pass: a wrong digest is for carpd to see.
# expect_hmac KIND VHID FIELD: N more hmac drops in FIELD, kernel flat.
expect_hmac() {
	local before after
	before=$(counters a)
	col=$3
	send "$1" "$2"
	# shellcheck disable=SC2317 # called through tb_until
	settled() { grew "$before" "$(counters a)" "$col"; }
	tb_until 3 settled || true
	after=$(counters a)
	grew "$before" "$after" "$3" ||
		tm_fail "$1 (vhid $2): carpd's hmac count went from $(field "$before" "$3") to $(field "$after" "$3"), not up by $N"
	[ "$(field "$after" 1)" = "$(field "$before" 1)" ] ||
		tm_fail "$1 (vhid $2): the kernel filtered some ($(field "$before" 1) -> $(field "$after" 1))"
	tb_log "$1 (vhid $2): $N counted by carpd as hmac, none by the kernel"
}
expect_hmac hmac 7 3
expect_hmac ip6-hmac 9 5

# A burst of them (carpd then reads the capture on a timer instead of a
# wake-up per frame, see net.c): each one counted, none lost, a holds.
before=$(counters a)
send hmac 7 "$BURST"
# shellcheck disable=SC2317 # called through tb_until
burst_counted() {
	[ $(($(field "$(counters a)" 3) - $(field "$before" 3))) -eq "$BURST" ]
}
tb_until 5 burst_counted ||
	tm_fail "a counted $(($(field "$(counters a)" 3) - $(field "$before" 3))) of a burst of $BURST forged adverts ($(tail -1 "$TB_DIR/x.bpf_junk.log"))"
tb_log "a burst of $BURST forged adverts: all counted ($(tail -1 "$TB_DIR/x.bpf_junk.log"))"
tb_holds 1.5 a_masters 7 9 || tm_fail "a did not stay master of 7 and 9 after the burst"

# 3. vhid 8: junk before the reload, an advert to check after it.
before=$(counters a)
send hmac 8
tb_until 3 grew "$before" "$(counters a)" 1 || true
grew "$before" "$(counters a)" 1 || tm_fail "vhid 8 before the reload: not filtered by the kernel"
conf a 7 8 9 | tm_conf a
conf b 7 8 9 | tm_conf b
for h in a b; do
	n=$(tb_count "$h" "reloaded $TB_DIR/$h.conf: 2 vhids kept, 1 added")
	tb_signal "$h" HUP
	tb_until 5 tm_log_more "$h" "reloaded $TB_DIR/$h.conf: 2 vhids kept, 1 added" "$n" ||
		tm_fail "$h: did not reload"
done
tb_until 10 a_masters 7 8 9 || tm_fail "a did not become master of 8 after the reload"
sleep 0.2			# the new filter is set from the event loop
expect_hmac hmac 8 4
tb_holds 1.5 a_masters 7 8 9 || tm_fail "a did not stay master of 7, 8 and 9"

last=$(counters a)
[ "$(tm_row a 7 eth0) $(tm_row a 9 eth0)" = "$rows_a0" ] ||
	tm_fail "a: vhid 7 or 9 changed: $rows_a0 -> $(tm_row a 7 eth0) $(tm_row a 9 eth0)"
[ "$(tm_row b 7 eth0) $(tm_row b 9 eth0)" = "$rows_b0" ] ||
	tm_fail "b: vhid 7 or 9 changed: $rows_b0 -> $(tm_row b 7 eth0) $(tm_row b 9 eth0)"
tb_alive a || tm_fail "a died"
tb_pass "10 kinds of junk ($N frames each) filtered by the kernel and counted" \
    "($(field "$last" 1) in all), none in user space; wrong digests for" \
    "vhids 7, 9 and (after a reload) 8 counted by carpd; no state change"
