#!/usr/bin/env bash
# A hostile host on the LAN floods both carpd hosts with malformed frames
# of every kind carpd drops (truncated, bad checksums, fragments, wrong
# TTL, version, type, authlen, VRRPv2, other vhids, oversized...: the
# kernel's capture filter drops and counts those that need no key) and
# with well-formed adverts for the group's vhid that carry a better
# priority (advskew 0, advbase 0 or 1, forged bow-outs) and a wrong
# digest.  Bounded: 2000 frames over about 5 s, to the test LAN only.
# The master stays the only master, nobody changes state, both daemons
# live, the drop log lines are rate limited, the CPU time carpd spends
# on the flood stays modest (printed), and the backup still takes over
# when the master then crashes.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_hard.sh
. "${top_srcdir:-.}/tests/netns/lib_hard.sh"

VIP=192.0.2.100
FRAMES=2000
SECONDS_FLOOD=5
tb_init
th_need_scapy
tb_switch
th_plain_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_host x 192.0.2.66/24		# the attacker: no daemon
tb_scripts
pass=$(tb_passfile group "hostile $$")

common=(-i eth0 -v 7 -o "$pass" -a "$VIP" -b 1)
tb_carpd a "${common[@]}" -k 0 -u "$TB_DIR/a.up" -d "$TB_DIR/a.down" \
    --control-socket="$TB_DIR/a.sock"
tb_carpd b "${common[@]}" -k 100 -u "$TB_DIR/b.up" -d "$TB_DIR/b.down" \
    --control-socket="$TB_DIR/b.sock"
tb_wait_settled "$VIP" a 8 || tb_fail "a did not become the only holder"
tb_holds 1 tb_only_holder "$VIP" a || tb_fail "a did not stay the only holder"
na=$(th_transitions a)
nb=$(th_transitions b)

cpu_a0=$(th_cpu_ns a)
cpu_b0=$(th_cpu_ns b)
th_py_bg x hostile.py --iface eth0 --vhid 7 --count "$FRAMES" \
    --duration "$SECONDS_FLOOD" --target 192.0.2.1 --target 192.0.2.2
flooder=$TH_BGPID
# While it runs (scapy's start-up included): a is the one holder.
end=$(tb_deadline 40)
held=yes
while kill -0 "$flooder" 2>/dev/null; do
	tb_only_holder "$VIP" a || held="no: holders $(tb_holders "$VIP" | tr '\n' ' ')"
	[ "$(tb_now_us)" -lt "$end" ] || tb_fail "the flooder did not finish"
	sleep 0.1
done
wait "$flooder" || tb_fail "the flooder failed: $(cat "$TB_DIR/x.hostile.log")"
cpu_a1=$(th_cpu_ns a)
cpu_b1=$(th_cpu_ns b)
summary=$(grep '^sent total ' "$TB_DIR/x.hostile.log")
flood_s=$(awk '/^sent total / { print $5 }' "$TB_DIR/x.hostile.log")
nsent=$(awk '/^sent total / { print $3 }' "$TB_DIR/x.hostile.log")
[ "${nsent:-0}" -ge $((FRAMES * 9 / 10)) ] || tb_fail "the flooder sent only ${nsent:-0} frames: $summary"
[ "$held" = yes ] || tb_fail "a was not the only holder during the flood ($held)"

# After it: still nobody moves (late effects of the flood), both live.
tb_holds 2 tb_only_holder "$VIP" a || tb_fail "a lost the VIP after the flood"
tb_alive a || tb_fail "a died"
tb_alive b || tb_fail "b died"
[ "$(th_transitions a)" -eq "$na" ] || tb_fail "a changed state during the flood"
[ "$(th_transitions b)" -eq "$nb" ] || tb_fail "b changed state during the flood"

# Logged, but rate limited: about 10 lines, then 1 a second, per host.
drops='eth0: dropped packet from '
declare -A lines=() bad=()
for h in a b; do
	n=$(tb_count "$h" "$drops")
	[ "$n" -ge 1 ] || tb_fail "$h logged no dropped packet"
	[ "$n" -le 40 ] || tb_fail "$h logged $n drop lines for $nsent frames: not rate limited"
	tb_loggrep "$h" "$drops.*\([0-9]+ more bad packets not logged\)" ||
		tb_fail "$h: no \"(N more bad packets not logged)\" line"
	lines[$h]=$n
done
reasons=$(cat "$TB_DIR/a.log" "$TB_DIR/b.log" | grep -o "${drops}[0-9.?]*: [a-z-]*" |
    awk '{ print $NF }' | sort -u | tr '\n' ' ')

# SIGUSR1: the vhid counts the bad packets that got as far as the vhid.
for h in a b; do
	st=$(th_status "$h") || tb_fail "$h: no status line after SIGUSR1"
	bad[$h]=$(sed -n 's/.*bad packets \([0-9]*\).*/\1/p' <<<"$st")
	[ "${bad[$h]:-0}" -gt 0 ] || tb_fail "$h: status shows no bad packets: $st"
done

# Every reason a frame can reach carpd for was counted; what needs no
# key (doc/protocol.md, "Kernel filter") the kernel drops, and counts:
# its count is the frames of those kinds that were sent (ethertype and
# protocol are not CARP: neither the capture nor the count takes them).
# Through the control socket, when this carpd has one.
counted="not available (no control socket)"
kinds=(short ip-header fragment ttl length oversized version type authlen
    unknown-vhid)
want=$(awk -v k=" ${kinds[*]} " '/^sent / && index(k, " " $2 " ") { n += $3 }
    END { print n + 0 }' "$TB_DIR/x.hostile.log")
for h in a b; do
	[ -S "$TB_DIR/$h.sock" ] || continue
	"$TH_PY" "$TH_TOOLS/ctl.py" "$TB_DIR/$h.sock" status >"$TB_DIR/$h.ctl" 2>&1 ||
		tb_fail "$h: control socket: $(cat "$TB_DIR/$h.ctl")"
	for r in ip-checksum carp-checksum destination hmac loop; do
		grep -Eq "^bad packets .* $r=[1-9]" "$TB_DIR/$h.ctl" ||
			tb_fail "$h counted no $r drop: $(grep '^bad' "$TB_DIR/$h.ctl")"
	done
	for r in "${kinds[@]}"; do
		! grep -Eq "^bad packets .* $r=[1-9]" "$TB_DIR/$h.ctl" ||
			tb_fail "$h counted $r drops in user space: $(grep '^bad' "$TB_DIR/$h.ctl")"
	done
	got=$(sed -n 's/^filtered by the kernel on eth0: \([0-9]*\) frames$/\1/p' "$TB_DIR/$h.ctl")
	[ "${got:-0}" -eq "$want" ] ||
		tb_fail "$h: the kernel filtered ${got:-0} frames, $want were sent of the kinds it drops"
	counted="5 reasons in carpd, $want frames filtered by the kernel"
	tb_log "$h: $(grep -E '^(bad packets|filtered)' "$TB_DIR/$h.ctl" | tr '\n' ' ')"
done

# CPU carpd used while the frames arrived, per second of flood.
cpu_a=$(awk -v a="$cpu_a0" -v b="$cpu_a1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
cpu_b=$(awk -v a="$cpu_b0" -v b="$cpu_b1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
pct_a=$(awk -v c="$cpu_a" -v t="$flood_s" 'BEGIN { printf "%.1f", 100 * c / t }')
pct_b=$(awk -v c="$cpu_b" -v t="$flood_s" 'BEGIN { printf "%.1f", 100 * c / t }')
us_a=$(awk -v c="$cpu_a" -v n="$nsent" 'BEGIN { printf "%.0f", 1e6 * c / n }')
us_b=$(awk -v c="$cpu_b" -v n="$nsent" 'BEGIN { printf "%.0f", 1e6 * c / n }')
tb_lt "$pct_a" 50 || tb_fail "a used $cpu_a s of CPU for a $flood_s s flood ($pct_a%)"
tb_lt "$pct_b" 50 || tb_fail "b used $cpu_b s of CPU for a $flood_s s flood ($pct_b%)"

# The flood left nothing behind: a crash of the master still fails over.
t_crash=$(date +%s.%N)
tb_crash a
tb_wait_settled "$VIP" b 10.2 || tb_fail "b did not take over after the crash"
took=$(tb_elapsed "$t_crash" "$(tb_event_time ' b up ')")
tb_loggrep b 'vhid 7 on eth0: BACKUP -> MASTER \(master-down\)' ||
	tb_fail "b: no BACKUP -> MASTER (master-down) line"

tb_pass "$nsent frames in $flood_s s; carpd CPU during the flood:" \
    "a (master) $cpu_a s = $pct_a%, b (backup) $cpu_b s = $pct_b% of a core" \
    "(${us_a} us, ${us_b} us a frame);" \
    "drop lines a ${lines[a]} b ${lines[b]}; bad packets a ${bad[a]} b ${bad[b]};" \
    "reasons logged: $reasons; counted: $counted; b took over $took s after the crash"
