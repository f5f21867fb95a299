#!/usr/bin/env bash
# carpctl peers: every CARP sender heard on a vhid.  a, b and c (advskew
# 0, 50 and 100, preempt) share dual-stack vhid 7; x has the wrong
# password.  a is master; b, then c (demoted by 3 first) are forced
# MASTER and step down again at a's next advert, so that each good host
# has heard the other two.  Then on each host:
#   peers --json   the other two, each as an IPv4 and an IPv6 (link-local)
#                  sender with its MAC, advbase/advskew and demote, its
#                  adverts accepted and no drops; x with its hmac drops and
#                  no advert accepted; nobody else, never the host itself;
#                  the adverts add up to status --json's adverts_received,
#                  and a sender's adverts are at most what it sent
#   peers          the same in the table
#   x              sees a, b and c, all dropped (hmac), nothing accepted
# Then 40 forged senders (tools/forge_senders.py): the table stays at 16,
# the evictions are counted, and b and c, whose adverts were accepted,
# stay in it.
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

VIP4=192.0.2.100
VIP6=2001:db8::100
TB_IPV6=1
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_host c 192.0.2.3/24
tb_host x 192.0.2.9/24
tb_scripts
good=$(tb_passfile group "peers $$")
bad=$(tb_passfile intruder "wrong $$")
declare -A SKEW=([a]=0 [b]=50 [c]=100 [x]=10) MAC=()
for h in a b c x; do
	MAC[$h]=$("$TB_IP" -n "${TB_NS[$h]}" -o link show dev eth0 |
	    sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
done

common=(-i eth0 -v 7 -a "$VIP4/24" -a "$VIP6/64" -b 1 -P --demote-advskew=no)
for h in a b c; do
	tb_carpd "$h" "${common[@]}" -o "$good" -k "${SKEW[$h]}" \
	    -u "$TB_DIR/$h.up" -d "$TB_DIR/$h.down" \
	    --control-socket "$TB_DIR/$h.sock"
done
tb_carpd x "${common[@]}" -o "$bad" -k "${SKEW[x]}" \
    --control-socket "$TB_DIR/x.sock"
tb_wait_settled "$VIP4" a 10 || tb_fail "a did not become the only holder"
tb_wait_log x 'vhid 7 on eth0: BACKUP -> MASTER' 8 ||
	tb_fail "x never became MASTER: it sends nothing to drop"

# push HOST: forced MASTER, then BACKUP again at a's next advert.
push() {
	local n
	n=$(tb_count "$1" 'vhid 7 on eth0: MASTER -> BACKUP')
	tm_ctl "$1" master 7 >/dev/null || tb_fail "$1: carpctl master 7 failed"
	tb_until 5 tm_log_more "$1" 'vhid 7 on eth0: MASTER -> BACKUP' "$n" ||
		tb_fail "$1 did not step down after its forced MASTER"
}
push b
tm_ctl c demote carp 3 >/dev/null || tb_fail "c: carpctl demote carp 3 failed"
push c
tb_wait_settled "$VIP4" a 5 || tb_fail "a is not the only holder again"
sleep 1.5	# more adverts from a and x

# check HOST: peers --json against status --json of HOST and the others.
check() {
	local h=$1 o args=()
	for o in a b c x; do
		args+=("$o=${TB_ADDR[$o]}/${MAC[$o]}/${SKEW[$o]}")
	done
	tm_ctl "$h" status --json >"$TB_DIR/st1.json" &&
	    tm_ctl "$h" peers --json >"$TB_DIR/peers.json" &&
	    tm_ctl "$h" status --json >"$TB_DIR/st2.json" ||
		tb_fail "$h: carpctl status/peers --json failed"
	for o in a b c; do
		tm_ctl "$o" status --json >"$TB_DIR/sent-$o.json" ||
			tb_fail "$o: carpctl status --json failed"
	done
	"$TM_PY" - "$h" "$TB_DIR" "${args[@]}" <<-'PY' || tb_fail "$h: peers --json: see above"
	import json, sys
	h, d = sys.argv[1], sys.argv[2]
	hosts = {}
	for a in sys.argv[3:]:
	    name, rest = a.split("=")
	    addr, mac, skew = rest.split("/")
	    hosts[name] = (addr, mac, int(skew))
	def load(f):
	    with open(d + "/" + f) as fh:
	        return json.load(fh)
	def fail(msg):
	    sys.exit("%s: %s\n%s" % (h, msg, json.dumps(p, indent=1)))
	p = load("peers.json")
	st1, st2 = load("st1.json")["vhids"][0], load("st2.json")["vhids"][0]
	if p["senders_max"] != 16 or len(p["vhids"]) != 1:
	    fail("senders_max or vhids")
	v = p["vhids"][0]
	if v["vhid"] != 7 or v["interface"] != "eth0" or v["evictions"] != 0:
	    fail("vhid, interface or evictions")
	ss = v["senders"]
	want = [o for o in "abcx" if o != h]
	by_mac = {}
	for s in ss:
	    by_mac.setdefault(s["mac"], []).append(s)
	if sorted(by_mac) != sorted(hosts[o][1] for o in want):
	    fail("senders' MACs %s, want those of %s" % (sorted(by_mac), want))
	good = h != "x"
	for o in want:
	    addr, mac, skew = hosts[o]
	    es = sorted(by_mac[mac], key=lambda s: s["family"])
	    if [s["family"] for s in es] != ["inet", "inet6"]:
	        fail("%s: not one IPv4 and one IPv6 sender" % o)
	    if es[0]["address"] != addr or not es[1]["address"].startswith("fe80::"):
	        fail("%s: addresses %s" % (o, [s["address"] for s in es]))
	    for s in es:
	        if s["advbase"] != 1 or s["advskew"] != skew:
	            fail("%s: advbase/advskew %d/%d, want 1/%d" %
	                 (o, s["advbase"], s["advskew"], skew))
	        if s["demote"] != (3 if o == "c" else 0):
	            fail("%s: demote %d" % (o, s["demote"]))
	        if s["last_seen_unix"] < s["first_seen_unix"]:
	            fail("%s: last seen before first seen" % o)
	        if s["dropped"] != sum(s["drops"].values()):
	            fail("%s: dropped is not the sum of drops" % o)
	        if (o == "x") == good:
	            # the other password: dropped, never accepted
	            if s["adverts"] != 0 or s["drops"]["hmac"] == 0 or \
	               s["dropped"] != s["drops"]["hmac"]:
	                fail("%s: adverts %d, hmac %d, dropped %d" % (o,
	                     s["adverts"], s["drops"]["hmac"], s["dropped"]))
	        elif s["adverts"] == 0 or s["dropped"] != 0:
	            fail("%s: adverts %d dropped %d" % (o, s["adverts"],
	                 s["dropped"]))
	    if good and o != "x":
	        sent = load("sent-%s.json" % o)["vhids"][0]["adverts_sent"]
	        heard = sum(s["adverts"] for s in es)
	        if heard > sent:
	            fail("%s: %d adverts heard, but it sent %d" % (o, heard, sent))
	got = sum(s["adverts"] for s in ss)
	if not st1["adverts_received"] <= got <= st2["adverts_received"]:
	    fail("adverts %d, status says %d then %d" % (got,
	         st1["adverts_received"], st2["adverts_received"]))
	hm = sum(s["drops"]["hmac"] for s in ss)
	if not st1["bad_packets"]["hmac"] <= hm <= st2["bad_packets"]["hmac"]:
	    fail("hmac drops %d, status says %d then %d" % (hm,
	         st1["bad_packets"]["hmac"], st2["bad_packets"]["hmac"]))
	print("%s: %d senders, %d adverts, %d hmac drops" % (h, len(ss), got, hm))
	PY
}
for h in a b c x; do
	check "$h"
done

# The table: a row per sender; x's with its drops.
out=$(tm_ctl b peers) || tb_fail "b: carpctl peers: $out"
hdr=$(echo "$out" | head -n 1 | tr -s ' ')
[ "$hdr" = "VHID INTERFACE SENDER MAC ADVBASE/SKEW DEMOTE LAST-SEEN ADVERTS DROPPED" ] ||
	tb_fail "peers: header '$hdr'"
stamp='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'
for want in "7 eth0 192.0.2.1 ${MAC[a]} 1/0 0 $stamp [1-9][0-9]* 0" \
    "7 eth0 fe80::[0-9a-f:]+ ${MAC[a]} 1/0 0 $stamp [1-9][0-9]* 0" \
    "7 eth0 192.0.2.3 ${MAC[c]} 1/100 3 $stamp [1-9][0-9]* 0" \
    "7 eth0 192.0.2.9 ${MAC[x]} 1/10 0 $stamp 0 ([1-9][0-9]*) hmac=\\1" \
    "7 eth0 fe80::[0-9a-f:]+ ${MAC[x]} 1/10 0 $stamp 0 ([1-9][0-9]*) hmac=\\1"; do
	echo "$out" | tr -s ' ' | grep -Eqx -- "$want" ||
		tb_fail "peers: no row /$want/ in:
$out"
done
[ "$(echo "$out" | grep -c '^7 ')" = 6 ] || tb_fail "peers: not 6 rows: $out"
echo "$out" | grep -q "${MAC[b]}" && tb_fail "peers: b lists itself: $out"
tm_ctl b peers bogus >/dev/null 2>"$TB_DIR/err" && tb_fail "peers bogus: exit 0"
grep -q 'usage: carpctl peers \[--json\]' "$TB_DIR/err" ||
	tb_fail "peers bogus: $(cat "$TB_DIR/err")"

# A flood of forged senders: the table stays bounded.
"$TB_IP" netns exec "${TB_NS[x]}" "$TM_PY" \
    "$top_srcdir/tests/netns/tools/forge_senders.py" eth0 7 40 192.0.2.150 ||
	tb_fail "cannot send the forged adverts"
sleep 1.5
tm_ctl b peers --json >"$TB_DIR/flood.json" || tb_fail "b: peers --json"
res=$("$TM_PY" - "$TB_DIR/flood.json" "${MAC[a]}" "${MAC[c]}" <<-'PY'
import json, sys
v = json.load(open(sys.argv[1]))["vhids"][0]
macs = [s["mac"] for s in v["senders"] if s["adverts"] > 0]
forged = [s for s in v["senders"] if s["mac"].startswith("02:66:")]
print(len(v["senders"]), v["evictions"] > 0, sorted(set(macs)) ==
      sorted(sys.argv[2:]), len(forged) > 0,
      all(s["drops"]["hmac"] == 1 and s["adverts"] == 0 for s in forged))
PY
)
[ "$res" = "16 True True True True" ] ||
	tb_fail "after 40 forged senders: '$res' (senders, evicted, a and c kept, forged listed, forged dropped): $(cat "$TB_DIR/flood.json")"
ev=$(tm_ctl b metrics | awk '/^carpd_vhid_sender_evictions_total/ { print $2 }')
[ "${ev:-0}" -ge 30 ] || tb_fail "metrics: evictions '$ev' after 40 forged senders"
tm_ctl b peers | grep -Eq "^vhid 7 on eth0: $ev senders evicted \\(a table of 16\\)$" ||
	tb_fail "peers: no eviction line for $ev: $(tm_ctl b peers)"
{ tb_alive a && tb_alive b && tb_alive c && tb_alive x; } || tb_fail "a daemon died"
tb_only_holder "$VIP4" a || tb_fail "a lost the VIP"

tb_pass "peers: three hosts and an intruder, text and JSON, bounded under a flood"
