# shellcheck shell=bash
# Extra helpers for the tests/netns/f_*.sh tests (sub-second adverts,
# bow-out, gratuitous ARP).  Sourced after lib.sh; sources nothing and
# uses lib.sh's TB_* variables.
#
#   fb_transitions HOST           number of transition lines in HOST's log
#   fb_logtime HOST ERE           epoch time (s.us) of the last line of
#                                 HOST's log matching ERE (carpd stamps its
#                                 lines with the local time of day only)
#   fb_mac HOST                   MAC address of HOST's eth0
#   fb_arps PCAP                  every ARP frame of PCAP, one a line:
#                                 TIME ETHSRC ETHDST OP HWSRC PSRC HWDST PDST
#   fb_bursts GAP                 (filter) groups TIME lines into bursts of
#                                 frames less than GAP s apart; prints
#                                 "START COUNT MINGAP MAXGAP" per burst
#   fb_crash HOST                 the whole daemon dies (frozen, then
#                                 killed), then tb_crash

FB_PY=${FB_PY:-/usr/bin/python3}

# The stable transition line: "vhid N on IF: OLD -> NEW (reason)".
FB_TRANSITION='vhid [0-9]+ on [^:]+: [A-Z]+ -> [A-Z]+ \('

fb_transitions() {
	grep -Ec -- "$FB_TRANSITION" "$TB_DIR/$1.log" 2>/dev/null || true
}

# fb_logtime HOST ERE: the "HH:MM:SS.ffffff" stamp of the last matching
# line, as seconds since the epoch (today, or yesterday if that would be
# in the future: a run across midnight).
fb_logtime() {
	local line
	line=$(grep -E -- "$2" "$TB_DIR/$1.log" 2>/dev/null | tail -n 1)
	[ -n "$line" ] || return 1
	awk -v stamp="${line%% *}" -v midnight="$(date -d 'today 00:00:00' +%s)" \
	    -v now="$(date +%s)" 'BEGIN {
		if (split(stamp, f, ":") != 3) exit 1
		t = midnight + f[1] * 3600 + f[2] * 60 + f[3]
		if (t > now + 60) t -= 86400
		printf "%.6f\n", t
	}'
}

fb_mac() {
	"$TB_IP" -n "${TB_NS[$1]}" -o link show dev eth0 |
	    sed -n 's/.*link\/ether \([0-9a-f:]*\) .*/\1/p'
}

# fb_arps PCAP: decode every ARP frame with scapy (tcpdump does not show
# the sender hardware address of a request).  OP is 1 (request) or 2.
fb_arps() {
	"$FB_PY" - "$1" <<-'EOF'
	import sys
	from scapy.all import rdpcap, ARP, Ether
	for p in rdpcap(sys.argv[1]):
	    if ARP in p and Ether in p:
	        a = p[ARP]
	        print("%.6f %s %s %d %s %s %s %s" % (float(p.time), p[Ether].src,
	              p[Ether].dst, a.op, a.hwsrc, a.psrc, a.hwdst, a.pdst))
	EOF
}

# fb_bursts GAP: reads times (first field), one a line, in order.
fb_bursts() {
	awk -v gap="$1" '
	function out() {
		if (n) printf "%.6f %d %.3f %.3f\n", start, n, mingap, maxgap
	}
	{
		if (n && $1 - last < gap) {
			d = $1 - last
			if (n == 1 || d < mingap) mingap = d
			if (d > maxgap) maxgap = d
			n++
		} else {
			out(); start = $1; n = 1; mingap = 0; maxgap = 0
		}
		last = $1
	}
	END { out() }'
}

# fb_crash HOST: the host dies as a whole.  Every process in HOST's
# namespace (carpd's privileged and network processes, scripts) is frozen
# with SIGSTOP first, so none of them can react to the others' death (a
# carpd network process that sees its privileged parent go would bow
# out), then killed; then tb_crash reaps the daemon and removes the VIPs.
fb_crash() {
	local pids
	pids=$("$TB_IP" netns pids "${TB_NS[$1]}" 2>/dev/null | tr '\n' ' ')
	# shellcheck disable=SC2086 # a list of PIDs
	if [ -n "$pids" ]; then
		kill -STOP $pids 2>/dev/null
		kill -KILL $pids 2>/dev/null
	fi
	tb_crash "$1"
}
