#!/usr/bin/env bash
# Files root relies on, checked again while carpd runs (privilege
# separation: the root parent runs the scripts and reads the file):
#  a. a runs with safe #! scripts (run from the checked descriptor) and
#     becomes master;
#  b. its down script made 0777 while it runs: at the next transition
#     (SIGUSR2) it is refused and logged, and does not run;
#  c. its up script replaced by a symbolic link: refused at the next up;
#  d. a reload naming a 0777 script, and a reload of the file made
#     group-writable: both refused, naming the file, the running
#     configuration stays.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

VIP=192.0.2.100
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_scripts
pass=$(tb_passfile group "safefile $$")
conf() {
	tm_globals a
	echo "vhid 1 { interface eth0; addr $VIP; passfile $pass; advbase 1"
	echo "    upscript $1; downscript $TB_DIR/a.down }"
}
conf "$TB_DIR/a.up" | tm_conf a

# a.
tm_carpd_conf a
tb_wait_master a "$VIP" 8 || tb_fail "a. a did not become master"
tb_wait_event " a up eth0 $VIP MASTER " 2 || tb_fail "a. the up script did not run"

# b.
chmod 777 "$TB_DIR/a.down"
downs=$(tb_events ' a down ')
tb_signal a USR2
tb_wait_log a "script vhid 1 down $VIP: cannot run $TB_DIR/a\.down: not trusted: writable by group or others \(mode 0777\)" 3 ||
	tb_fail "b. the 0777 down script was not refused"
[ "$(tb_events ' a down ')" -eq "$downs" ] || tb_fail "b. the 0777 down script ran"
chmod 755 "$TB_DIR/a.down"

# c. a takes over again after its master-down interval.
mv "$TB_DIR/a.up" "$TB_DIR/a.up.real"
ln -s "$TB_DIR/a.up.real" "$TB_DIR/a.up"
ups=$(tb_events ' a up ')
tb_wait_log a "script vhid 1 up $VIP: cannot run $TB_DIR/a\.up: not trusted: a symbolic link" 8 ||
	tb_fail "c. the up script behind a symbolic link was not refused"
[ "$(tb_events ' a up ')" -eq "$ups" ] || tb_fail "c. the linked up script ran"

# d.
cp "$TB_DIR/a.up.real" "$TB_DIR/open.up" && chmod 777 "$TB_DIR/open.up"
conf "$TB_DIR/open.up" | tm_conf a
tb_signal a HUP
tb_wait_log a "reload failed: $TB_DIR/a\.conf:[0-9]+: upscript: \"$TB_DIR/open\.up\": not trusted: writable by group or others \(mode 0777\); .*keeping the running configuration" 3 ||
	tb_fail "d. a reload naming a 0777 script was not refused"
conf "$TB_DIR/a.up.real" | tm_conf a
chmod 660 "$TB_DIR/a.conf"
tb_signal a HUP
tb_wait_log a "reload failed: $TB_DIR/a\.conf: not trusted: writable by group or others \(mode 0660\); .*keeping the running configuration" 3 ||
	tb_fail "d. a reload of a group-writable file was not refused"
tb_loggrep a 'reloaded ' && tb_fail "d. a refused file was loaded"
tb_alive a || tb_fail "d. a is gone"
tb_pass "scripts checked at each run (mode, symbolic link) and files at each reload"
