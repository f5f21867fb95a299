#!/usr/bin/env bash
# Gratuitous ARP on the wire, captured on the bridge.  Two single-host
# groups (advbase 1) become master side by side:
#  a, vhid 7, VIP .100: --garp-repeat 3 --garp-interval 100
#     --garp-delay 1500 --garp-refresh 2: a burst of 3 ARPs ~100 ms apart
#     on takeover, a second burst ~1.5 s later, then a burst every ~2 s;
#  b, vhid 8, VIP .101, default settings: one ARP on takeover, one more
#     two advert intervals (2 s) later, then none.
# Every ARP is a request to the Ethernet broadcast address with sender IP
# = target IP = the VIP, and the host's MAC as Ethernet source and ARP
# sender.  Bounds are loose: 50-300 ms within a burst, 1.0-2.5 s to the
# second burst, 1.5-3.0 s between refresh bursts.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_fast.sh
. "${top_srcdir:-.}/tests/netns/lib_fast.sh"

VIPA=192.0.2.100
VIPB=192.0.2.101
BCAST=ff:ff:ff:ff:ff:ff
# How long to capture after both took over: a's bursts start at about
# 0, 1.7, 3.9 and 6.1 s (each delay counts from the end of the burst
# before), the next at 8.3 s.
WINDOW=7.2
tb_init
command -v tcpdump >/dev/null || { echo "${0##*/}: SKIP: no tcpdump" >&2; exit 77; }
"$FB_PY" -c 'import scapy.all' 2>/dev/null ||
	{ echo "${0##*/}: SKIP: no scapy for $FB_PY" >&2; exit 77; }
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
pass=$(tb_passfile group "garp $$")
maca=$(fb_mac a)
macb=$(fb_mac b)
{ [ -n "$maca" ] && [ -n "$macb" ]; } || tb_fail "no MAC address for a or b"

tb_capture || tb_fail "tcpdump did not start"
tb_carpd a -i eth0 -v 7 -o "$pass" -a "$VIPA" -b 1 \
    --garp-repeat 3 --garp-interval 100 --garp-delay 1500 --garp-refresh 2 \
    -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_carpd b -i eth0 -v 8 -o "$pass" -a "$VIPB" -b 1 \
    -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_master a "$VIPA" 6 || tb_fail "a did not take over"
tb_wait_master b "$VIPB" 6 || tb_fail "b did not take over"
MASTER='BACKUP -> MASTER \(master-down\)'
ta=$(fb_logtime a "$MASTER") || tb_fail "a: no BACKUP -> MASTER line"
tb=$(fb_logtime b "$MASTER") || tb_fail "b: no BACKUP -> MASTER line"
# Capture until WINDOW s after the later takeover.
t_end=$(awk -v a="$ta" -v b="$tb" -v w="$WINDOW" 'BEGIN { printf "%.6f\n", (a > b ? a : b) + w }')
left=$(tb_elapsed "$(date +%s.%N)" "$t_end")
tb_lt 0 "$left" && sleep "$left"
t_end=$(date +%s.%N)
# The daemons die before the capture stops: no burst is cut in two.
fb_crash a
fb_crash b
tb_capture_stop
{ tb_alive a || tb_alive b; } && tb_fail "a daemon survived fb_crash"

fb_arps "$TB_DIR/br0.pcap" >"$TB_DIR/arps" || tb_fail "cannot decode $TB_DIR/br0.pcap"
tcpdump -r "$TB_DIR/br0.pcap" -tt -n -e arp >"$TB_DIR/arps.tcpdump" 2>/dev/null
tb_log "$(wc -l <"$TB_DIR/arps") ARP frames; a MASTER at $ta ($maca), b at $tb ($macb)"

# fail_arps MSG: fail with the frames and the bursts.
fail_arps() {
	{
		echo "----- ARP frames (time ethsrc ethdst op hwsrc psrc hwdst pdst):"
		cat "$TB_DIR/arps"
		echo "----- tcpdump -e arp:"
		cat "$TB_DIR/arps.tcpdump"
		for h in a b; do
			echo "----- $h bursts (start count mingap maxgap):"
			cat "$TB_DIR/$h.bursts" 2>/dev/null
		done
	} >&2
	tb_fail "$*"
}

# 1. Every ARP frame is a gratuitous ARP of a or b, each from its own MAC.
bad=$(awk -v va="$VIPA" -v ma="$maca" -v vb="$VIPB" -v mb="$macb" -v bc="$BCAST" '
	{
		if ($6 == va) { v = va; m = ma } else { v = vb; m = mb }
		if (($6 != va && $6 != vb) || $2 != m || $3 != bc || $4 != 1 ||
		    $5 != m || $6 != v || $8 != v)
			print
	}' "$TB_DIR/arps")
[ -z "$bad" ] || fail_arps "ARP frames that are not gratuitous ARPs of a or b: $bad"
awk -v v="$VIPA" '$6 == v' "$TB_DIR/arps" | fb_bursts 0.5 >"$TB_DIR/a.bursts"
awk -v v="$VIPB" '$6 == v' "$TB_DIR/arps" | fb_bursts 0.5 >"$TB_DIR/b.bursts"

# 2. a: bursts of 3, the first at takeover, the second 1.0-2.5 s later,
# then refresh bursts 1.5-3.0 s apart; at least 4 bursts in WINDOW s.
# check_a: prints one line per problem, then the figures.
check_a() {
	awk -v t0="$ta" '
	function bad(m) { print m; nbad++ }
	function ms0(x) { return x > -0.0005 && x < 0.0005 ? 0 : x }
	{
		s[NR] = $1
		if ($2 != 3) bad(sprintf("burst %d has %d ARPs, not 3", NR, $2))
		else if ($3 < 0.05 || $4 > 0.3)
			bad(sprintf("burst %d: ARPs %.3f-%.3f s apart", NR, $3, $4))
		if (NR == 1) {
			d = $1 - t0
			if (d < -0.05 || d > 0.5)
				bad(sprintf("first burst %.3f s after takeover", d))
		} else {
			d = $1 - s[NR - 1]
			lo = NR == 2 ? 1.0 : 1.5
			hi = NR == 2 ? 2.5 : 3.0
			if (d < lo || d > hi)
				bad(sprintf("burst %d %.3f s after burst %d", NR, d, NR - 1))
			gaps = gaps sprintf(" %.3f", d)
		}
	}
	END {
		if (NR < 4) bad(sprintf("%d bursts, not at least 4", NR))
		printf "a: %d bursts, first %.3f s after takeover, then gaps%s\n",
		    NR, ms0(s[1] - t0), gaps
		exit nbad > 0
	}' "$TB_DIR/a.bursts"
}
figa=$(check_a) || fail_arps "a: $figa"
tb_log "$figa"

# 3. b: exactly 2 ARPs, at takeover and 1.5-3.0 s later, then none for
# the rest of the capture (at least 3 s).
figb=$(awk -v t0="$tb" -v end="$t_end" '
	function bad(m) { print m; nbad++ }
	function ms0(x) { return x > -0.0005 && x < 0.0005 ? 0 : x }
	{ s[NR] = $1; if ($2 != 1) bad(sprintf("burst %d has %d ARPs, not 1", NR, $2)) }
	END {
		if (NR != 2) bad(sprintf("%d bursts, not 2", NR))
		d0 = s[1] - t0; d1 = s[2] - s[1]; quiet = end - s[2]
		if (d0 < -0.05 || d0 > 0.5) bad(sprintf("first ARP %.3f s after takeover", d0))
		if (d1 < 1.5 || d1 > 3.0) bad(sprintf("second ARP %.3f s after the first", d1))
		if (quiet < 3) bad(sprintf("only %.3f s of capture after the second ARP", quiet))
		printf "b: %d ARPs, first %.3f s after takeover, second %.3f s later, then none for %.3f s\n",
		    NR, ms0(d0), d1, quiet
		exit nbad > 0
	}' "$TB_DIR/b.bursts") || fail_arps "b: $figb"
tb_log "$figb"

tb_pass "$figa; $figb"
