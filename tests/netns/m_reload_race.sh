#!/usr/bin/env bash
# A reload that removes many vhids while their down scripts are asked
# for, twice in a row.  One host, 250 vhids on eth0 and 200 on eth1 (one
# address each, advbase 1), all master.  The file is rewritten without
# the 250 and the daemon gets two SIGHUPs N ms apart, for N in 2, 5, 10
# and 50 (a fresh daemon each round).  Every round must end with the 250
# down scripts run, no address of theirs left on eth0, the 200 of eth1
# still master, and a clean exit on SIGTERM.  The privileged channel must
# neither stall (both ends blocked in send) nor refuse the down scripts
# of the configuration before the last one.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

N0=250
N1=200
tb_init
tb_switch
tm_switch2
tb_host a 192.0.2.1/24
tm_iface a eth1 198.51.100.1/24
tb_scripts
pass=$(tb_passfile lan "race $$")

# conf WITH_ETH0: the file, with or without the 250 vhids of eth0.
conf() {
	local n ifname
	tm_globals a
	for ifname in eth0 eth1; do
		[ "$ifname" = eth0 ] && [ "$1" = 0 ] && continue
		cat <<-EOF
		interface $ifname {
			passfile $pass
			advbase 1
			upscript $TB_DIR/a.up
			downscript $TB_DIR/a.down
		EOF
		if [ "$ifname" = eth0 ]; then
			for n in $(seq 1 $N0); do
				printf '\tvhid %d { addr 192.0.2.%d }\n' "$n" $((n + 1))
			done
		else
			for n in $(seq 1 $N1); do
				printf '\tvhid %d { addr 198.51.100.%d }\n' "$n" $((n + 1))
			done
		fi
		echo "}"
	done
}

# nvips IF: addresses on IF beyond the host's own.
nvips() {
	"$TB_IP" -n "${TB_NS[a]}" -4 -o addr show dev "$1" | grep -c -v " inet ${2}/"
}
eth0_vips() { nvips eth0 192.0.2.1; }
eth1_vips() { nvips eth1 198.51.100.1; }
all_up() { [ "$(eth0_vips)" -eq $N0 ] && [ "$(eth1_vips)" -eq $N1 ]; }
downs() { grep -c " a down eth0 " "$TB_EVENTS"; }
all_down() { [ "$(downs)" -eq $N0 ] && [ "$(eth0_vips)" -eq 0 ]; }
eth1_masters() {
	tm_table a | awk '$2 == "eth1" && $3 == "MASTER"' | wc -l
}

figures=()
for gap in 2 5 10 50; do
	: >"$TB_EVENTS"
	"$TB_IP" -n "${TB_NS[a]}" addr flush dev eth1
	"$TB_IP" -n "${TB_NS[a]}" addr add 198.51.100.1/24 dev eth1
	conf 1 | tm_conf a
	tm_carpd_conf a
	tb_until 25 all_up || tm_fail "gap $gap ms: not all $((N0 + N1)) vhids came up"
	# Only the down scripts of the reload count (ucarp runs them at start).
	sleep 0.5
	: >"$TB_EVENTS"
	conf 0 | tm_conf a
	tb_signal a HUP
	sleep "0.$(printf %03d "$gap")"
	tb_signal a HUP
	tb_until 20 all_down
	ran=$(downs) left=$(eth0_vips)
	masters=$(eth1_masters)
	tb_signal a TERM 2>/dev/null
	if tb_wait_exit a 15; then
		term="exit $TB_RC"
	else
		term="hung"
		"$TB_IP" netns pids "${TB_NS[a]}" | xargs -r kill -9
		tb_wait_exit a 5
	fi
	figures+=("${gap}ms: $ran/$N0 down scripts, $left eth0 addresses left, $masters/$N1 eth1 masters, SIGTERM: $term")
	tb_log "${figures[-1]}"
	[ "$ran" -eq $N0 ] && [ "$left" -eq 0 ] && [ "$masters" -eq $N1 ] &&
	    [ "$term" = "exit 0" ] || tm_later "${figures[-1]}"
	if [ "$term" != "exit 0" ]; then
		break	# a stalled daemon: the other rounds would stall too
	fi
done
tm_check_later
tb_pass "two SIGHUPs 2, 5, 10, 50 ms apart: $N0 down scripts each time, nothing left, $N1 masters kept"
