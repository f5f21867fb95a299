#!/usr/bin/env bash
# The packaged unit's capability bounding set (debian/carpd.service) is
# enough for carpd: a runs under exactly that set (setpriv, as systemd
# would apply it; systemd itself is not PID 1 here), drops its network
# process to the unprivileged user, becomes master and its root up script
# adds the VIP (CAP_NET_ADMIN); on SIGTERM it bows out and its down
# script removes the VIP, and b takes over.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

unit=$top_srcdir/debian/carpd.service
VIP=192.0.2.100
tb_init
command -v setpriv >/dev/null || { echo "${0##*/}: SKIP: no setpriv" >&2; exit 77; }
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
[ -n "$caps" ] || tb_fail "no CapabilityBoundingSet in $unit"
set=-all
for c in $caps; do
	c=${c#CAP_}
	set=$set,+${c,,}
done
tb_log "bounding set of $unit: $set"
hardening() {
	grep -E '^(Capability|Restrict|Protect|Lock|SystemCall|NoNew|Private|Kill|Timeout)' "$1"
}
diff <(hardening "$unit") <(hardening "${unit%.service}@.service") >&2 ||
	tb_fail "carpd.service and carpd@.service differ in their hardening"
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
pass=$(tb_passfile group "caps $$")

common=(-i eth0 -v 9 -o "$pass" -a "$VIP" -b 1)
tb_daemon a setpriv --bounding-set "$set" "$CARPD" "${common[@]}" -k 0 -P \
    -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_log a "network process runs real-time, rr:10, memory locked" 5 ||
	tb_fail "a: no real-time scheduling under $set"
tb_wait_log a 'network process runs as [a-z]+ with CAP_NET_RAW only' 5 ||
	tb_fail "a: the network process did not drop its privileges under $set"
tb_wait_settled "$VIP" a 10 || tb_fail "a did not become master and add the VIP under $set"
tb_signal a TERM
tb_wait_exit a 10 || tb_fail "a did not exit on SIGTERM"
[ "$TB_RC" -eq 0 ] || tb_fail "a exited $TB_RC"
tb_wait_settled "$VIP" b 5 || tb_fail "b did not take over from a's bow-out"
[ "$(tb_events ' a down eth0 ')" -ge 1 ] || tb_fail "a's down script did not run"
tb_pass "carpd works under $caps"
