#!/usr/bin/env bash
# Scripts run as root by default and as --script-user when given, with
# and without privilege separation; the network process runs as --user,
# by default the dedicated user carpd.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

VIP=192.0.2.100
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_host c 192.0.2.3/24
pass=$(tb_passfile group "scriptuser $$")

# A down script that records who ran it (the directory is open to nobody).
cat >"$TB_DIR/who.sh" <<EOF2
#!/bin/sh
echo "\$(id -un)" >"$TB_DIR/who-\$1-\$CARP_SRCIP"
EOF2
chmod 755 "$TB_DIR/who.sh"
chmod 1777 "$TB_DIR"

common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1 -d "$TB_DIR/who.sh")
tb_carpd a "${common[@]}"
tb_carpd b "${common[@]}" --script-user nobody
tb_carpd c "${common[@]}" --user root --script-user nobody

for h in a b c; do
	tb_wait_log "$h" 'INIT -> BACKUP \(startup\)' 5 || tb_fail "$h did not start"
done
tb_until 5 test -s "$TB_DIR/who-eth0-192.0.2.1" -a -s "$TB_DIR/who-eth0-192.0.2.2" \
    -a -s "$TB_DIR/who-eth0-192.0.2.3" || tb_fail "the down scripts did not all run"
[ "$(cat "$TB_DIR/who-eth0-192.0.2.1")" = root ] ||
	tb_fail "a: down script ran as $(cat "$TB_DIR/who-eth0-192.0.2.1"), not root"
[ "$(cat "$TB_DIR/who-eth0-192.0.2.2")" = nobody ] ||
	tb_fail "b: --script-user nobody ran it as $(cat "$TB_DIR/who-eth0-192.0.2.2")"
[ "$(cat "$TB_DIR/who-eth0-192.0.2.3")" = nobody ] ||
	tb_fail "c (--user root): --script-user nobody ran it as $(cat "$TB_DIR/who-eth0-192.0.2.3")"

# a separated its network process: it runs as the dedicated user carpd
# (or, where there is none, nobody with a warning saying how to create
# it) with CAP_NET_RAW only.
child=$(pgrep -P "${TB_PID[a]}" -x carpd | head -n1)
[ -n "$child" ] || tb_fail "a: no network process under pid ${TB_PID[a]}"
if uid=$(id -u carpd 2>/dev/null); then
	user=carpd
	tb_loggrep a 'there is no user carpd' && tb_fail "a: warned that carpd is missing"
else
	user=nobody uid=65534
	tb_loggrep a 'there is no user carpd: the network process runs as nobody, .*create the user with "adduser --system --group --no-create-home --home /nonexistent carpd"' ||
		tb_fail "a: no warning about the missing user carpd"
fi
[ "$(awk '/^Uid:/ {print $2}' "/proc/$child/status")" = "$uid" ] ||
	tb_fail "a: the network process does not run as $user"
[ "$(awk '/^CapEff:/ {print $2}' "/proc/$child/status")" = 0000000000002000 ] ||
	tb_fail "a: the network process has more than CAP_NET_RAW"
tb_loggrep a "network process runs as $user with CAP_NET_RAW only" ||
	tb_fail "a: no log line about the network process"
# c, with --user root, is one process.
[ -z "$(pgrep -P "${TB_PID[c]}" -x carpd)" ] || tb_fail "c (--user root) forked a network process"

tb_pass "scripts as root and as --script-user; network process as $user with CAP_NET_RAW"
