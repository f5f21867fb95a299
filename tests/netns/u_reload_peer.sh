#!/usr/bin/env bash
# Peers from carpd.conf, and peers added by a reload (in the sandboxed
# network process), on a switch that drops multicast.
#  1. a's file gives vhid 5 the peer 192.0.2.2 as an interface default;
#     b's has no peer: both are masters, and b, receiving adverts sent
#     to its own address for a vhid without peers, says so.
#  2. b's file gains "peer 192.0.2.1" and b reloads: its network process
#     opens the neighbour watch and the protocol 112 socket inside its
#     sandbox, hears a (more frequent) and steps down; a is the only
#     master, and b is still alive.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

VIP=192.0.2.105
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
pass=$(tb_passfile group "reload peers $$")
tb_switch_drop 01:00:5e:00:00:12 || tb_fail "nft"

# conf HOST SKEW [PEER]
conf() {
	tm_globals "$1"
	cat <<-EOF
	interface eth0 {
		passfile $pass
		upscript $TB_DIR/$1.up
		downscript $TB_DIR/$1.down
		${3:+peer $3}
		vhid 5 { addr $VIP; advskew $2 }
	}
	EOF
}

conf a 0 192.0.2.2 | tm_conf a
conf b 100 | tm_conf b
tm_carpd_conf a
tm_carpd_conf b
tm_wait_ctl a 5 || tm_fail "a: no control socket"
tm_wait_ctl b 5 || tm_fail "b: no control socket"

# 1.
tb_until 8 tb_nholders_is 2 "$VIP" ||
	tm_fail "1: a and b are not both masters"
tb_wait_log b 'vhid 5 on eth0: a unicast advert from 192\.0\.2\.1, but vhid 5 has no peers \(multicast\)' 3 ||
	tm_fail "1: b did not say that a unicast advert came for a multicast vhid"

# 2.
conf b 100 192.0.2.1 | tm_conf b
tb_signal b HUP
tb_wait_log b "reloaded $TB_DIR/b.conf: 0 vhids kept, 0 added, 1 changed, 0 removed" 5 ||
	tm_fail "2: b did not reload"
tm_wait_settled eth0 "$VIP" a 8 || tm_fail "2: a is not the only master"
tb_holds 2 tm_only_holder eth0 "$VIP" a || tm_fail "2: a did not stay the only master"
tm_state_is b 5 eth0 BACKUP || tm_fail "2: b is $(tm_state b 5 eth0)"
tb_alive b || tm_fail "2: b died"
tb_loggrep b 'stopped by its sandbox' && tm_fail "2: b's sandbox refused a call"
tb_pass "peers from the file; added by a reload inside the sandbox"
