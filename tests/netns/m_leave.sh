#!/usr/bin/env bash
# Multicast memberships follow the vhids across reloads.  Host a runs
# vhids 1 and 3 on group 224.0.0.18 and vhid 2 on 224.0.0.19, all on
# eth0; the kernel's list of groups joined on eth0 (ip maddr, as in
# /proc/net/igmp) has both.  Reloads then:
#   remove vhid 2         224.0.0.19 is left, 224.0.0.18 kept
#   remove vhid 1         224.0.0.18 kept: vhid 3 still uses it
#   move vhid 3 to .20    224.0.0.18 left, 224.0.0.20 joined
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_scripts
pass=$(tb_passfile group "leave $$")

# conf "VHID:GROUP"...: a's file with these vhids on eth0.
conf() {
	local vg
	tm_globals a
	for vg in "$@"; do
		cat <<-EOF
		vhid ${vg%:*} {
			interface eth0
			addr 192.0.2.10${vg%:*}
			mcast ${vg#*:}
			passfile $pass
		}
		EOF
	done
}

# groups: the IPv4 groups a has joined on eth0, sorted, on one line.
groups() {
	ip -n "${TB_NS[a]}" maddr show dev eth0 |
	    awk '$1 == "inet" { print $2 }' | sort | tr '\n' ' '
}

groups_are() {
	[ "$(groups)" = "$1" ]
}

reloads=0
# reload "VHID:GROUP"... WANT: a's file, SIGHUP, wait for the log line
# and for the groups to be WANT.
reload() {
	local want=${*: -1} n
	conf "${@:1:$#-1}" | tm_conf a
	n=$(tb_count a "reloaded $TB_DIR/a.conf")
	tb_signal a HUP
	tb_until 5 tm_log_more a "reloaded $TB_DIR/a.conf" "$n" ||
		tm_fail "no reload line"
	reloads=$((reloads + 1))
	tb_until 3 groups_are "$want" ||
		tm_fail "reload $reloads: groups '$(groups)', want '$want'"
}

conf 1:224.0.0.18 2:224.0.0.19 3:224.0.0.18 | tm_conf a
tm_carpd_conf a
tm_wait_ctl a 5 || tm_fail "a: no control socket"
tb_until 3 groups_are "224.0.0.1 224.0.0.18 224.0.0.19 " ||
	tm_fail "at start: groups '$(groups)'"
reload 1:224.0.0.18 3:224.0.0.18 "224.0.0.1 224.0.0.18 "
reload 3:224.0.0.18 "224.0.0.1 224.0.0.18 "
reload 3:224.0.0.20 "224.0.0.1 224.0.0.20 "
tb_holds 1 groups_are "224.0.0.1 224.0.0.20 " || tm_fail "the groups changed by themselves"
tb_alive a || tm_fail "a died"
tb_pass "$reloads reloads: each group left with its last vhid"
