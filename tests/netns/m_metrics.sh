#!/usr/bin/env bash
# carpctl metrics, read by the Prometheus client's own parser
# (python3-prometheus-client) and checked against carpctl status --json.
# a (advskew 0, preempt) and b (advskew 100) run vhids 7 and 8 from their
# files; vhid 8 is also in group web.  Checked on both hosts after each
# step: every family has HELP and TYPE and the carpd_ prefix, one state
# gauge per state, transitions by reason adding up to status's count,
# adverts sent and received and drops by reason between two status
# snapshots taken around it, the demote byte, the groups, the start time,
# the reloads.  The steps:
#   start        a MASTER (startup, master-down), b BACKUP (startup)
#   backup 7 on a  b takes vhid 7 (master-bowed-out), a forced-backup
#   w            a host with the wrong password: hmac drops counted
#   demote web 5 on b, SIGHUP to b  vhid 8 sends demote 5; reloads 1
#   examples/carpd-metrics.service  its command (paths changed) writes a
#                file the parser reads, atomically; removes it when carpd
#                cannot be reached
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_multi.sh
. "${top_srcdir:-.}/tests/netns/lib_multi.sh"

"$TM_PY" -c 'import prometheus_client.parser' 2>/dev/null || {
	echo "m_metrics.sh: python3-prometheus-client is missing (tests/run-all.sh installs it)" >&2
	exit 99
}
tb_init
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_host w 192.0.2.9/24
tb_scripts
pass=$(tb_passfile group "metrics $$")
bad=$(tb_passfile intruder "wrong $$")

conf() {	# conf HOST SKEW PREEMPT PASSFILE
	tm_globals "$1"
	cat <<-EOF
	interface eth0 {
		passfile $4
		advskew $2
		preempt $3
		upscript $TB_DIR/$1.up
		downscript $TB_DIR/$1.down
		vhid 7 { addr 192.0.2.107 }
		vhid 8 { addr 192.0.2.108
			demote-group web }
	}
	EOF
}
conf a 0 yes "$pass" | tm_conf a
conf b 100 no "$pass" | tm_conf b
t0=$(date +%s)
tm_carpd_conf a
tm_carpd_conf b
tm_wait_ctl a 5 || tm_fail "a: no control socket"
tm_wait_ctl b 5 || tm_fail "b: no control socket"
tm_wait_settled eth0 192.0.2.107 a 10 || tm_fail "a did not take vhid 7"
tm_wait_settled eth0 192.0.2.108 a 10 || tm_fail "a did not take vhid 8"
tb_until 5 tm_state_is b 8 eth0 BACKUP || tm_fail "b is not BACKUP"

# check HOST T0 EXPR: metrics against status --json; EXPR, on `m` (value
# of a sample: m(name, vhid=7, reason=...)) and `st` (the vhids of
# status by number), must hold too.
check() {
	local h=$1
	tm_ctl "$h" status --json >"$TB_DIR/st1.json" &&
	    tm_ctl "$h" metrics >"$TB_DIR/metrics.txt" &&
	    tm_ctl "$h" status --json >"$TB_DIR/st2.json" ||
		tm_fail "$h: carpctl status --json or metrics failed"
	"$TM_PY" - "$TB_DIR" "$2" "$3" <<-'PY' || tm_fail "$h: metrics: see above; $TB_DIR/metrics.txt"
	import json, sys, time
	from prometheus_client.parser import text_string_to_metric_families
	d, t0, expr = sys.argv[1], float(sys.argv[2]), sys.argv[3]
	text = open(d + "/metrics.txt").read()
	st1 = json.load(open(d + "/st1.json"))
	st2 = json.load(open(d + "/st2.json"))
	fams = list(text_string_to_metric_families(text))
	samples = {}
	for f in fams:
	    if not f.name.startswith("carpd_") or not f.documentation or \
	       f.type not in ("counter", "gauge"):
	        sys.exit("family %s: type %s, help %r" % (f.name, f.type,
	                 f.documentation))
	    for s in f.samples:
	        key = (s.name, tuple(sorted(s.labels.items())))
	        if key in samples:
	            sys.exit("sample twice: %s" % (key,))
	        samples[key] = s.value
	# Every line of the text is HELP, TYPE or a sample the parser read.
	n = sum(1 for l in text.splitlines() if not l.startswith("# "))
	if n != len(samples):
	    sys.exit("%d sample lines, the parser read %d" % (n, len(samples)))
	def m(name, **labels):
	    key = ("carpd_" + name, tuple(sorted((k, str(v)) for k, v in
	                                         labels.items())))
	    if key not in samples:
	        sys.exit("no sample %s" % (key,))
	    return samples[key]
	def between(what, got, lo, hi):
	    if not lo <= got <= hi:
	        sys.exit("%s: metrics %s, status %s then %s" % (what, got, lo, hi))
	for v1, v2 in zip(st1["vhids"], st2["vhids"]):
	    lab = {"vhid": v1["vhid"], "interface": v1["interface"]}
	    for s in ("init", "backup", "master"):
	        want = 1 if v1["state"] == s.upper() else 0
	        if v1["state"] == v2["state"] and m("vhid_state", state=s,
	                                            **lab) != want:
	            sys.exit("vhid %s: state %s is %s" % (lab, s, 1 - want))
	    tr = sum(v for (n, l), v in samples.items()
	             if n == "carpd_vhid_transitions_total" and
	             dict(l)["vhid"] == str(v1["vhid"]))
	    between("transitions %s" % lab, tr, v1["transitions"], v2["transitions"])
	    if v1["reason"] is not None and v1["transitions"] == v2["transitions"]:
	        if m("vhid_transitions_total", reason=v1["reason"], **lab) < 1:
	            sys.exit("%s: no transition for its last reason %s" %
	                     (lab, v1["reason"]))
	        between("last change", m("vhid_last_transition_timestamp_seconds",
	                **lab), v1["last_change_unix"], v1["last_change_unix"] + 1)
	    between("sent", m("vhid_adverts_sent_total", **lab),
	            v1["adverts_sent"], v2["adverts_sent"])
	    between("received", m("vhid_adverts_received_total", **lab),
	            v1["adverts_received"], v2["adverts_received"])
	    for r in v1["bad_packets"]:
	        between("drops %s" % r, m("vhid_drops_total", reason=r, **lab),
	                v1["bad_packets"][r], v2["bad_packets"][r])
	    reasons = {dict(l)["reason"] for (n, l) in samples
	               if n == "carpd_vhid_drops_total"}
	    if reasons != set(v1["bad_packets"]):
	        sys.exit("drop reasons %s, status has %s" % (sorted(reasons),
	                 sorted(v1["bad_packets"])))
	    for k, name in (("demote", "vhid_demote"),
	                    ("advskew_sent", "vhid_advskew_sent"),
	                    ("advbase", "vhid_advbase"),
	                    ("advskew", "vhid_advskew")):
	        between(k, m(name, **lab), v1[k], v2[k])
	    if m("vhid_waiting", **lab) != (v1["waiting"] is not None):
	        sys.exit("%s: waiting" % lab)
	for i in st1["interfaces"]:
	    for r, n in i["bad_packets"].items():
	        between("interface drops %s" % r, m("interface_drops_total",
	                interface=i["name"], reason=r), n,
	                [j for j in st2["interfaces"]
	                 if j["name"] == i["name"]][0]["bad_packets"][r])
	for g in st1["groups"]:
	    between("group %s" % g["name"], m("group_demotion", group=g["name"]),
	            g["demotion"], g["demotion"])
	    between("group %s vhids" % g["name"], m("group_vhids",
	            group=g["name"]), g["vhids"], g["vhids"])
	    for src in ("operator", "link", "send-errors", "startup", "track"):
	        between("group %s %s" % (g["name"], src),
	                m("group_demotion_by_source", group=g["name"],
	                source=src), g[src], g[src])
	between("start time", m("start_time_seconds"), t0 - 1, time.time())
	if m("info", version=st1["version"]) != 1:
	    sys.exit("info")
	st = {v["vhid"]: v for v in st2["vhids"]}
	if not eval("(" + expr + ")"):
	    sys.exit("false: " + expr)
	print("%d families, %d samples; %s" % (len(fams), len(samples), expr))
	PY
}

check a "$t0" 'm("vhid_state", vhid=7, interface="eth0", state="master") == 1 and
    m("vhid_transitions_total", vhid=7, interface="eth0", reason="startup") == 1 and
    m("vhid_transitions_total", vhid=7, interface="eth0", reason="master-down") == 1 and
    m("reloads_total") == 0 and m("vhid_adverts_sent_total", vhid=7, interface="eth0") > 0 and
    m("group_vhids", group="web") == 1 and m("group_vhids", group="carp") == 2'
check b "$t0" 'm("vhid_state", vhid=7, interface="eth0", state="backup") == 1 and
    m("vhid_transitions_total", vhid=7, interface="eth0", reason="startup") == 1 and
    m("vhid_adverts_received_total", vhid=7, interface="eth0") > 0 and
    m("vhid_adverts_sent_total", vhid=7, interface="eth0") == 0'

# --- failover
tm_ctl a backup 7 >/dev/null || tm_fail "a: carpctl backup 7 failed"
tm_wait_settled eth0 192.0.2.107 b 5 || tm_fail "b did not take vhid 7"
tb_until 3 tm_state_is b 7 eth0 MASTER || tm_fail "b is not MASTER of vhid 7"
sent=$(tm_ctl b metrics | awk '$1 ~ /^carpd_vhid_adverts_sent_total\{vhid="7"/ { print $2 }')
sleep 2.5
check b "$t0" "m('vhid_state', vhid=7, interface='eth0', state='master') == 1 and
    m('vhid_transitions_total', vhid=7, interface='eth0', reason='master-bowed-out') == 1 and
    m('vhid_adverts_sent_total', vhid=7, interface='eth0') > $sent"
check a "$t0" 'm("vhid_state", vhid=7, interface="eth0", state="backup") == 1 and
    m("vhid_transitions_total", vhid=7, interface="eth0", reason="forced-backup") == 1 and
    m("vhid_state", vhid=8, interface="eth0", state="master") == 1'

# --- a host with the wrong password
conf w 0 yes "$bad" | tm_conf w
tm_carpd_conf w
tb_wait_log a 'dropped packet from 192\.0\.2\.9: hmac' 10 ||
	tm_fail "a: no hmac drop for w's adverts"
check a "$t0" 'm("vhid_drops_total", vhid=7, interface="eth0", reason="hmac") > 0 and
    m("vhid_drops_total", vhid=8, interface="eth0", reason="hmac") > 0 and
    m("vhid_adverts_received_total", vhid=7, interface="eth0") > 0'
check w "$t0" 'm("vhid_adverts_received_total", vhid=7, interface="eth0") == 0 and
    m("vhid_drops_total", vhid=8, interface="eth0", reason="hmac") > 0'

# --- demotion, then a reload
tm_ctl b demote web 5 >/dev/null || tm_fail "b: carpctl demote web 5 failed"
tb_signal b HUP
tb_wait_log b 'reloaded .*: 2 vhids kept' 10 || tm_fail "b did not reload"
check b "$t0" 'm("reloads_total") == 1 and m("vhid_demote", vhid=8, interface="eth0") == 5 and
    m("vhid_demote", vhid=7, interface="eth0") == 0 and
    m("group_demotion", group="web") == 5 and
    m("group_demotion_by_source", group="web", source="operator") == 5 and
    m("vhid_state", vhid=7, interface="eth0", state="master") == 1'
# --- the textfile collector's example unit: its command, run here
cmd=$(sed -n "s/^ExecStart=\/bin\/sh -c '\(.*\)'\$/\1/p" \
    "$top_srcdir/examples/carpd-metrics.service")
[ -n "$cmd" ] || tm_fail "no ExecStart=/bin/sh -c '...' in examples/carpd-metrics.service"
cmd=${cmd//\/var\/lib\/prometheus\/node-exporter/$TB_DIR/textfile}
mkdir "$TB_DIR/textfile"
sh -c "${cmd//\/usr\/sbin\/carpctl/$TM_CARPCTL -s $TB_DIR/b.sock}" ||
	tm_fail "the example unit's command failed: $cmd"
[ "$(ls "$TB_DIR/textfile")" = carpd.prom ] ||
	tm_fail "textfile directory: $(ls "$TB_DIR/textfile")"
"$TM_PY" -c '
import sys
from prometheus_client.parser import text_string_to_metric_families
f = {m.name: m for m in text_string_to_metric_families(open(sys.argv[1]).read())}
sys.exit(0 if f["carpd_reloads"].samples[0].value == 1 and len(f) > 20 else 1)
' "$TB_DIR/textfile/carpd.prom" || tm_fail "carpd.prom: $(cat "$TB_DIR/textfile/carpd.prom")"
sh -c "${cmd//\/usr\/sbin\/carpctl/$TM_CARPCTL -s $TB_DIR/none.sock}" 2>/dev/null &&
	tm_fail "the example unit's command succeeded without carpd"
[ -z "$(ls "$TB_DIR/textfile")" ] ||
	tm_fail "without carpd, the textfile directory still has $(ls "$TB_DIR/textfile")"

tm_ctl b metrics extra >/dev/null 2>"$TB_DIR/err" && tm_fail "metrics extra: exit 0"
grep -q 'usage: carpctl metrics' "$TB_DIR/err" || tm_fail "metrics extra: $(cat "$TB_DIR/err")"

tm_check_later
tb_pass "metrics parsed and equal to status --json, through failover, drops, demotion and reload"
