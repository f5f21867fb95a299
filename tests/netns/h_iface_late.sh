#!/usr/bin/env bash
# An interface that is not there yet.  Host a runs vhid 1 on eth0 and
# vhid 2 on eth1 from one file, but a has no eth1: carpd warns once that
# eth1 does not exist and that vhid 2 waits for it, runs vhid 1 all the
# same (MASTER on eth0), and shows vhid 2 as INIT, waiting
# "interface-missing", in carpctl status (text and JSON).  Host b has
# both interfaces and is master of vhid 2 meanwhile.  3 s later a's eth1
# is created: vhid 2 starts by itself (INIT -> BACKUP (startup)) and, a
# preempting with advskew 0, takes the address from b.  Then a reload
# adds vhid 3 on eth2, which does not exist either: it waits, the others
# are kept.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

VIP1=192.0.2.101
VIP2=198.51.100.102
tb_init
tb_switch
tm_switch2
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tm_iface b eth1 198.51.100.2/24
tb_scripts
pass=$(tb_passfile group "late $$")

# conf HOST SKEW [eth2]: vhid 1 on eth0, vhid 2 on eth1 (and 3 on eth2).
conf() {
	local h=$1 skew=$2 v ifname addr
	tm_globals "$h"
	for v in 1 2 ${3:+3}; do
		case $v in
		1) ifname=eth0 addr=$VIP1 ;;
		2) ifname=eth1 addr=$VIP2 ;;
		3) ifname=eth2 addr=203.0.113.103 ;;
		esac
		cat <<-EOF
		vhid $v {
			interface $ifname
			addr $addr
			passfile $pass
			preempt
			advskew $skew
			upscript $TB_DIR/$h.up
			downscript $TB_DIR/$h.down
		}
		EOF
	done
}
conf a 0 | tm_conf a
conf b 100 | tm_conf b
tm_carpd_conf b
tm_wait_ctl b 5 || tm_fail "b: no control socket"
t0=$(date +%s.%N)
tm_carpd_conf a
tm_wait_ctl a 5 || tm_fail "a did not start (or exited) with eth1 missing"

tb_wait_log a 'eth1: no such interface; vhid 2 waits for it' 3 ||
	tm_fail "a: no warning that eth1 does not exist"
tb_loggrep a 'eth0: no such interface' && tm_fail "a: eth0 said to be missing"
# vhid 1 runs meanwhile; b has vhid 2 to itself.
tm_wait_settled eth0 "$VIP1" a 8 || tm_fail "vhid 1: a is not the only holder"
tm_wait_settled eth1 "$VIP2" b 8 || tm_fail "vhid 2: b is not the only holder"
row=$(tm_ctl a status | awk '$1 == 2 && $2 == "eth1"')
echo "$row" | grep -Eq '^2 +eth1 +INIT .* interface-missing ' ||
	tm_fail "a: status text row of vhid 2: '$row'"
got=$(tm_ctl a status --json | "$TM_PY" -c '
import json, sys
for v in json.load(sys.stdin)["vhids"]:
    print(v["vhid"], v["interface"], v["state"], v["waiting"], v["source"])')
want="1 eth0 MASTER None 192.0.2.1
2 eth1 INIT interface-missing None"
[ "$got" = "$want" ] || tm_fail "a: status --json: '$got', want '$want'"
[ "$(tb_count a 'vhid 2 waits for it')" -eq 1 ] ||
	tm_fail "a: the wait for eth1 was logged more than once"
tb_alive a || tm_fail "a exited"

# eth1 appears, 3 s after a started.
sleep "$(awk -v t0="$t0" -v now="$(date +%s.%N)" \
    'BEGIN { d = t0 + 3 - now; print (d > 0 ? d : 0) }')"
tm_iface a eth1 198.51.100.1/24
t1=$(date +%s.%N)
tb_wait_log a 'eth1: interface is there' 3 || tm_fail "a: eth1 not noticed"
tb_wait_log a 'vhid 2 on eth1: source 198\.51\.100\.1,' 3 ||
	tm_fail "a: vhid 2 did not start with source 198.51.100.1"
tb_wait_log a 'vhid 2 on eth1: INIT -> BACKUP \(startup\)' 3 ||
	tm_fail "a: vhid 2: no INIT -> BACKUP (startup)"
# b advertises every 1.39 s; a preempts at its first advert.
tm_wait_settled eth1 "$VIP2" a 6 || tm_fail "vhid 2: a did not take over from b"
took=$(tb_elapsed "$t1" "$(tb_event_time ' a up eth1 ')")
tb_loggrep a 'vhid 2 on eth1: BACKUP -> MASTER \(preempt\)' ||
	tm_fail "a: vhid 2 did not preempt"
tm_wait_state b 2 eth1 BACKUP 3 || tm_fail "b: vhid 2 is not BACKUP"
tb_holds 1.5 tm_only_holder eth1 "$VIP2" a || tm_fail "vhid 2: a did not stay master"
tm_only_holder eth0 "$VIP1" a || tm_fail "vhid 1: a lost it"
[ "$(tm_tr_count a 1 eth0)" -eq 2 ] ||
	tm_fail "vhid 1 changed state while eth1 appeared"

# A reload adds vhid 3 on eth2, which does not exist: it waits.
conf a 0 eth2 | tm_conf a
tb_signal a HUP
tb_wait_log a "reloaded $TB_DIR/a.conf: 2 vhids kept, 1 added, 0 changed, 0 removed" 5 ||
	tm_fail "a: the reload did not add vhid 3"
tb_loggrep a 'eth2: no such interface; vhid 3 waits for it' ||
	tm_fail "a: no warning that eth2 does not exist"
[ "$(tm_state a 3 eth2)" = INIT ] || tm_fail "a: vhid 3 is not INIT"
tb_holds 1.5 tm_only_holder eth1 "$VIP2" a || tm_fail "vhid 2: a lost it on reload"
tb_alive a || tm_fail "a died"
tb_alive b || tm_fail "b died"
tb_pass "vhid 2 waited for eth1, started when it appeared and was master $took s later"
