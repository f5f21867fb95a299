# shellcheck shell=bash
# carpd and Debian's ucarp in one group (same vhid, password and VIP).
# Sourced by t_ucarp_*.sh after they set PREF and OTHER to "carpd" or
# "ucarp": host a runs PREF (advskew 0, --preempt), host b runs OTHER
# (advskew 100).  a becomes master, b takes over when a crashes, a comes
# back and preempts b; once settled exactly one host holds the VIP.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"

VIP=192.0.2.100
PASS="interop$$"
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
passfile=$(tb_passfile group "$PASS")
declare -A KIND=([a]=$PREF [b]=$OTHER)

# start HOST ARGS...: the host's daemon, with the group's options.  ucarp
# needs --srcip and gets the password on the command line; carpd finds
# its source address itself and reads the password from a file.
start() {
	local h=$1
	shift
	if [ "${KIND[$h]}" = ucarp ]; then
		tb_ucarp "$h" -i eth0 -s "${TB_ADDR[$h]}" -v 7 -p "$PASS" \
		    -a "$VIP" -b 1 -u "$TB_DIR/$h.up" -d "$TB_DIR/$h.down" "$@"
	else
		tb_carpd "$h" -i eth0 -v 7 -o "$passfile" \
		    -a "$VIP" -b 1 -u "$TB_DIR/$h.up" -d "$TB_DIR/$h.down" "$@"
	fi
}

# became HOST STATE [CARPD-REASON]: the log line of a transition to STATE.
became() {
	if [ "${KIND[$1]}" = ucarp ]; then
		echo "Switching to state: $2"
	else
		echo "vhid 7 on eth0: [A-Z]+ -> $2${3:+ \\($3\\)}"
	fi
}

start a -k 0 -P
tb_wait_log a "$(became a BACKUP)" 5 || tb_fail "a ($PREF) did not start"
# b joins a running master.  Started together, a becomes master 3 s in and
# b's deadline is 3.39 s, but ucarp reads its capture up to 1 s late and
# may miss a's first advert: a race of ucarp's, not of the protocol.
tb_wait_settled "$VIP" a 8 || tb_fail "a ($PREF) did not become the only holder"
start b -k 100
tb_wait_log b "$(became b BACKUP)" 5 || tb_fail "b ($OTHER) did not start"

# 1. a wins; b hears a's adverts (past b's master-down, 3.39 s) and stays.
tb_holds 4 tb_only_holder "$VIP" a || tb_fail "a ($PREF) did not stay the only holder"

# 2. a crashes: b takes over within 3x its master-down interval.
tb_crash a
tb_wait_settled "$VIP" b 10.2 || tb_fail "b ($OTHER) did not take over from a crashed $PREF"
tb_loggrep b "$(became b MASTER master-down)" ||
	tb_fail "b ($OTHER): no transition to MASTER logged"
b_downs=$(tb_events ' b down ')

# 3. a comes back with --preempt and takes the VIP back from b at once.
start a -k 0 -P
tb_wait_settled "$VIP" a 6 || tb_fail "a ($PREF) did not preempt b ($OTHER)"
tb_wait_log a "$(became a MASTER preempt)" 2 ||
	tb_fail "a ($PREF): no transition to MASTER logged"
tb_wait_events ' b down ' "$b_downs" 2 ||
	tb_fail "b ($OTHER) did not run its down script"
tb_holds 2 tb_only_holder "$VIP" a || tb_fail "a ($PREF) did not stay the only holder"
{ tb_alive a && tb_alive b; } || tb_fail "a daemon died"

# Every advert was understood: no drops on the carpd side, no complaint on
# ucarp's.
for h in a b; do
	if [ "${KIND[$h]}" = carpd ]; then
		tb_loggrep "$h" 'dropped packet' && tb_fail "$h (carpd) dropped adverts"
	else
		tb_loggrep "$h" 'Bad ' && tb_fail "$h (ucarp) rejected adverts"
	fi
done
tb_pass "$PREF master, $OTHER backup: failover and preemption both ways"
