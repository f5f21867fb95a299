#!/usr/bin/env bash
# A reload that removes a vhid runs that vhid's own down script, even when
# no vhid of the new configuration names it: with privilege separation the
# root process must still allow the commands of the previous file.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_scripts
pass=$(tb_passfile group "reload $$")
cp "$TB_DIR/a.down" "$TB_DIR/a.down2"
sed -i 's/ a down / a down2 /' "$TB_DIR/a.down2"

conf=$TB_DIR/a.conf
write_conf() {
	{
		echo "pidfile $TB_DIR/a.pid"
		echo "control-socket $TB_DIR/a.sock"
		echo "interface eth0 {"
		echo "	passfile $pass"
		echo "	upscript $TB_DIR/a.up"
		echo "	vhid 1 { addr 192.0.2.101; downscript $TB_DIR/a.down }"
		[ "$1" = both ] &&
			echo "	vhid 2 { addr 192.0.2.102; downscript $TB_DIR/a.down2 }"
		echo "}"
	} >"$conf"
	chmod 600 "$conf"
}
write_conf both
tb_carpd a -c "$conf"
tb_wait_master a 192.0.2.101 8 || tb_fail "a did not take vhid 1"
tb_wait_master a 192.0.2.102 2 || tb_fail "a did not take vhid 2"

write_conf one
tb_signal a HUP
tb_wait_log a 'reloaded .*: 1 vhids kept, 0 added, 0 changed, 1 removed' 3 ||
	tb_fail "no reload line"
tb_wait_event ' a down2 eth0 192.0.2.102 INIT shutdown' 3 ||
	tb_fail "the removed vhid's own down script did not run"
tb_loggrep a 'refusing' && tb_fail "a refused to run a script"
tb_until 2 sh -c "! ip -n '${TB_NS[a]}' -4 -o addr show dev eth0 | grep -q ' 192.0.2.102/'" ||
	tb_fail "vhid 2's address is still on a"
tb_has a 192.0.2.101 || tb_fail "vhid 1 lost its address"

tb_pass "the removed vhid ran its own down script and released its address"
