#!/usr/bin/env bash
# Three carpd hosts at sub-second intervals with nothing failing: the
# master at the shortest (-b 0 -k 1: an advert every 3.9 ms), the
# backups at -k 8 and -k 9 (master-down 94 and 105 ms).  Once a is
# master, nobody changes state again for 18 s (no transition line in any
# log) and a stays the one and only holder of the VIP.  Not backups at
# -k 2 / -k 3 (master-down 23 and 35 ms): this VM's host freezes both
# CPUs for 30 to 40 ms now and then (steal time; bench/README,
# "bench/load"), and no daemon can advertise through that.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_fast.sh
. "${top_srcdir:-.}/tests/netns/lib_fast.sh"

VIP=192.0.2.100
RUN=${FB_STABLE_SECONDS:-18}
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_host c 192.0.2.3/24
tb_scripts
pass=$(tb_passfile group "stable $$")

common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 0)
tb_carpd a "${common[@]}" -k 1 -P -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${common[@]}" -k 8 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_carpd c "${common[@]}" -k 9 -u "$TB_DIR/c.up" -d "$TB_DIR/c.down"
tb_wait_settled "$VIP" a 5 || tb_fail "a did not become the only holder"
for h in b c; do
	tb_wait_log "$h" 'vhid 7 on eth0: INIT -> BACKUP' 2 || tb_fail "$h did not start"
done
# Let the start-up scripts finish; from here on nothing may change.
tb_holds 1 tb_only_holder "$VIP" a || tb_fail "a did not stay the only holder"
declare -A before=()
for h in a b c; do
	before[$h]=$(fb_transitions "$h")
done
t0=$(date +%s.%N)

held=yes
tb_holds "$RUN" tb_only_holder "$VIP" a || held=no
t1=$(date +%s.%N)
figures=
flaps=0
for h in a b c; do
	n=$(($(fb_transitions "$h") - before[$h]))
	flaps=$((flaps + n))
	figures+=" $h:$n"
done
span=$(tb_elapsed "$t0" "$t1")
tb_log "transitions in $span s after settling:$figures (before:" \
    "a:${before[a]} b:${before[b]} c:${before[c]})"
[ "$flaps" -eq 0 ] || tb_fail "$flaps transitions in $span s after settling:$figures"
[ "$held" = yes ] || tb_fail "a did not stay the only holder for $RUN s (after $span s)"
for h in a b c; do
	tb_alive "$h" || tb_fail "$h died"
done

tb_pass "no transition in $span s after settling; a the only holder"
