#!/usr/bin/env bash
# A master of 200 vhids with two addresses each, stopped with SIGTERM
# (shutdown: down scripts at exit), runs all 400 down scripts before it
# exits and leaves no address behind; three times.  The root parent must
# not exit before it has read and run every request of the network
# process, however the scripts' ends and the requests interleave.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

N=200
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_scripts
pass=$(tb_passfile lan "stop $$")
{
	tm_globals a
	cat <<-EOF
	interface eth0 {
		passfile $pass
		shutdown
		upscript $TB_DIR/a.up
		downscript $TB_DIR/a.down
	EOF
	for n in $(seq 1 $N); do
		printf '\tvhid %d { addr 192.0.2.%d; addr 198.51.100.%d }\n' \
		    "$n" $((n + 1)) $((n + 1))
	done
	echo "}"
} | tm_conf a

nvips() {
	"$TB_IP" -n "${TB_NS[a]}" -4 -o addr show dev eth0 | grep -c -v " inet 192.0.2.1/"
}
all_up() { [ "$(nvips)" -eq $((2 * N)) ]; }

for round in 1 2 3; do
	tm_carpd_conf a
	tb_until 25 all_up || tm_fail "round $round: not all $((2 * N)) addresses came up"
	sleep 0.5	# the startup down scripts are done: only the exit's count
	: >"$TB_EVENTS"
	tb_signal a TERM
	tb_wait_exit a 40 || tm_fail "round $round: still running 40 s after SIGTERM"
	downs=$(grep -c " a down eth0 " "$TB_EVENTS")
	uniq=$(awk '$3 == "down" { print $5 }' "$TB_EVENTS" | sort -u | wc -l)
	left=$(nvips)
	tb_log "round $round: $downs down scripts ($uniq addresses), $left addresses left, exit $TB_RC"
	[ "$downs" -eq $((2 * N)) ] && [ "$uniq" -eq $((2 * N)) ] ||
	    tm_fail "round $round: $downs down scripts for $uniq addresses, expected $((2 * N))"
	[ "$left" -eq 0 ] || tm_fail "round $round: $left addresses left on eth0"
	[ "$TB_RC" -eq 0 ] || tm_fail "round $round: exit status $TB_RC"
done
tb_pass "3 stops of $N vhids x 2 addresses: $((2 * N)) down scripts each, no address left"
