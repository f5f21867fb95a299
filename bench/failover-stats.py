#!/usr/bin/python3
"""Analysis half of bench/failover (stdlib only, no scapy needed).

Reads the classic pcap files that tcpdump writes on the test bed's bridge,
keeps the protocol-112 frames of IPv4 and IPv6 (CARP and VRRPv3 share
the number) and turns them into figures:

  failover-stats.py round PCAP KIND CASE DAEMON ADVERT ROUND IDEAL SKEW \
        OLD_IP NEW_IP T_EVENT CAPTURE_OK OTHERS LOGGED
      one TSV record for a crash or graceful measurement (stdout); OTHERS
      are the other backups' addresses, LOGGED those of them that logged
      MASTER (comma-separated, "-" for none): the extra masters are those
      that logged it or advertised after the event
  failover-stats.py stable PCAP MASTER_IP T_SETTLE T_END
      adverts from the master, from anyone else, largest gap (stdout)
  failover-stats.py summary RESULTS
      the human table from a results file written by bench/failover
  failover-stats.py plotdata RESULTS DIR
      the medians as data files for bench/plot-failover.gp (gnuplot)

Times are seconds, CLOCK_REALTIME, as tcpdump stamps them and as bash's
$EPOCHREALTIME (or date +%s.%N) gives them for the signal.
"""
import os
import socket
import statistics
import struct
import sys

FIELDS = ("kind case daemon advert_s round ideal_s t_event t_last_old "
          "last_old_type t_first_new interval_s lateness_s from_event_s "
          "status extra_masters").split()


def frames(path):
    """Yield (time, src, kind, a, b) for each protocol-112 frame.

    IPv4 (protocol 112) and IPv6 (next header 112 straight after the
    fixed header: CARP and VRRPv3 send no extension headers); src is the
    source address as text.  kind is "carp" (a=advbase, b=advskew),
    "vrrp3" (a=prio, b=centisec) or "other"."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic_le = struct.unpack("<I", data[:4])[0]
    if magic_le in (0xa1b2c3d4, 0xa1b23c4d):
        end = "<"
        magic = magic_le
    else:
        end = ">"
        magic = struct.unpack(">I", data[:4])[0]
        if magic not in (0xa1b2c3d4, 0xa1b23c4d):
            raise SystemExit("%s: not a pcap file" % path)
    frac = 1e-9 if magic == 0xa1b23c4d else 1e-6
    linktype = struct.unpack(end + "I", data[20:24])[0]
    if linktype != 1:
        raise SystemExit("%s: link type %d, want Ethernet" % (path, linktype))
    off = 24
    while off + 16 <= len(data):
        sec, sub, caplen, _ = struct.unpack(end + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        p = payload(pkt)
        if p is None:
            continue
        src, p = p
        t = sec + sub * frac
        if p[0] == 0x21:
            yield t, src, "carp", p[5], p[2]
        elif p[0] == 0x31:
            yield t, src, "vrrp3", p[2], ((p[4] & 0x0f) << 8) | p[5]
        else:
            yield t, src, "other", 0, 0


def payload(pkt):
    """(source address, protocol-112 payload) of an Ethernet frame, or None."""
    if len(pkt) < 14:
        return None
    ip = pkt[14:]
    if pkt[12:14] == b"\x08\x00" and len(ip) >= 20:
        ihl = (ip[0] & 0x0f) * 4
        if ip[0] >> 4 != 4 or ip[9] != 112 or len(ip) < ihl + 8:
            return None
        return socket.inet_ntoa(ip[12:16]), ip[ihl:]
    if pkt[12:14] == b"\x86\xdd" and len(ip) >= 40 + 8:
        if ip[0] >> 4 != 6 or ip[6] != 112:
            return None
        return socket.inet_ntop(socket.AF_INET6, ip[8:24]), ip[40:]
    return None


def frame_type(kind, a, b):
    if kind == "carp":
        return "bowout" if a == 255 and b == 255 else "advert"
    if kind == "vrrp3":
        return "prio0" if a == 0 else "advert"
    return kind


def cmd_round(args):
    (pcap, kind, case, daemon, advert, rnd, ideal, skew, old_ip, new_ip,
     t_event, capture, others, logged) = args
    ideal, skew, t_event = float(ideal), float(skew), float(t_event)
    fr = list(frames(pcap))
    status = "ok" if capture == "ok" else "capture-incomplete"
    # The backup must stay silent until the event; else the pair flapped.
    if any(src == new_ip and t < t_event for t, src, *_ in fr):
        status = "backup-advertised-before-event"
    if any(k == "other" for _, _, k, *_ in fr):
        status = "unknown-frames"
    new = [x for x in fr if x[1] == new_ip and x[0] >= t_event]
    if not new:
        rec = [kind, case, daemon, advert, rnd, "%.6f" % ideal,
               "%.6f" % t_event, "-", "-", "-", "-", "-", "-", "no-takeover",
               extra_masters(fr, t_event, others, logged)]
        print("\t".join(rec))
        return
    t_new = new[0][0]
    old = [x for x in fr if x[1] == old_ip and x[0] <= t_new]
    if not old:
        raise SystemExit("%s: no advert from %s" % (pcap, old_ip))
    t_old, _, k, a, b = old[-1]
    otype = frame_type(k, a, b)
    if any(src == old_ip and t > t_new for t, src, *_ in fr):
        status = "old-master-advertised-after" if status == "ok" else status
    interval = t_new - t_old
    if kind == "crash":
        want = ideal
    elif otype == "bowout":
        want = skew                 # CARP bow-out: at once (carpd: after
                                    # its hand-over wait, given as skew)
    elif otype == "prio0":
        want = skew                 # VRRPv3: Master_Down_Timer = Skew_Time
    else:
        want = ideal                # no farewell: wait master-down
    rec = [kind, case, daemon, advert, rnd, "%.6f" % want, "%.6f" % t_event,
           "%.6f" % t_old, otype, "%.6f" % t_new, "%.6f" % interval,
           "%.6f" % (interval - want), "%.6f" % (t_new - t_event), status,
           extra_masters(fr, t_event, others, logged)]
    print("\t".join(rec))


def extra_masters(fr, t_event, others, logged):
    """How many of the other backups acted as master after the event:
    logged it, or sent an advert (not a farewell) after the event."""
    if others == "-":
        return "-"
    want = set(others.split(","))
    seen = {src for t, src, k, a, b in fr if src in want and t >= t_event
            and frame_type(k, a, b) == "advert"}
    if logged != "-":
        seen |= want & set(logged.split(","))
    return str(len(seen))


def cmd_stable(args):
    pcap, master, t0, t1 = args
    t0, t1 = float(t0), float(t1)
    fr = [x for x in frames(pcap) if t0 <= x[0] <= t1]
    mine = [x[0] for x in fr if x[1] == master]
    other = [x for x in fr if x[1] != master]
    gaps = [b - a for a, b in zip(mine, mine[1:])]
    print("master_adverts=%d foreign_adverts=%d max_gap_s=%.6f "
          "mean_gap_s=%.6f foreign_sources=%s" % (
              len(mine), len(other), max(gaps) if gaps else 0.0,
              statistics.mean(gaps) if gaps else 0.0,
              ",".join(sorted({x[1] for x in other})) or "-"))


def med(xs):
    return statistics.median(xs) if xs else None


def fmt(xs, scale=1.0, prec=3):
    if not xs:
        return "-"
    return "%.*f [%.*f..%.*f]" % (prec, med(xs) * scale, prec,
                                   min(xs) * scale, prec, max(xs) * scale)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return "%.3f" % (a / b)


def cmd_summary(args):
    path = args[0]
    recs, stab, cases, notes = [], [], [], {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if cols[0] in ("crash", "graceful") and \
                    len(cols) in (len(FIELDS) - 1, len(FIELDS)):
                recs.append(dict(zip(FIELDS, cols + ["-"])))
            elif cols[0] == "stability":
                stab.append(dict(c.split("=", 1) for c in cols[1:]))
            elif cols[0] == "case":
                d = dict(c.split("=", 1) for c in cols[1:])
                cases.append(d)
                notes[d["case"]] = d

    def vals(case, kind, field):
        return [float(r[field]) for r in recs
                if r["case"] == case and r["kind"] == kind
                and r["status"] == "ok" and r[field] != "-"]

    def bad(case, kind):
        return sum(1 for r in recs if r["case"] == case and
                   r["kind"] == kind and r["status"] != "ok")

    hdr = ("%-17s %-10s %-8s %-9s %-25s %-25s %-25s %-25s" % (
        "case", "daemon", "advert", "ideal", "crash takeover s",
        "crash lateness ms", "graceful hand-over s", "graceful late ms"))
    print(hdr)
    print("-" * len(hdr))
    three = [c for c in cases if c.get("hosts") == "3"]
    for c in cases:
        if c in three:
            continue
        name = c["case"]
        tk = vals(name, "crash", "interval_s")
        la = vals(name, "crash", "lateness_s")
        gr = vals(name, "graceful", "from_event_s")
        gl = vals(name, "graceful", "lateness_s")
        print("%-17s %-10s %-8s %-9s %-25s %-25s %-25s %-25s" % (
            name, c["daemon"], c["advert"], "%.6f" % float(c["ideal"]),
            fmt(tk, 1, 4), fmt(la, 1000, 1), fmt(gr, 1, 4), fmt(gl, 1000, 1)))
        nb = bad(name, "crash") + bad(name, "graceful")
        if nb:
            print("%-17s   !! %d round(s) not ok: %s" % (
                "", nb, ", ".join(sorted({
                    "%s r%s %s" % (r["kind"], r["round"], r["status"])
                    for r in recs if r["case"] == name
                    and r["status"] != "ok"}))))
    print()
    print("medians of ok rounds; [min..max]; takeover = new master's first "
          "advert - old master's last advert;")
    print("lateness = takeover - ideal master-down; graceful hand-over = "
          "new master's first advert - SIGTERM;")
    print("graceful late = gap after the old master's last frame - ideal "
          "(after a CARP bow-out 0, for carpd its")
    print("hand-over wait, 40 us x the backup's advskew; Skew_Time after "
          "VRRP prio 0; master-down after an ordinary advert)")
    print()

    def m(case, kind, field):
        return med(vals(case, kind, field))

    pairs = [("carpd-1s", "ucarp-1s"), ("carpd-1s", "keepalived-1s"),
             ("carpd-0.1s", "keepalived-0.1s"),
             ("carpd6-1s", "keepalived6-1s"),
             ("carpd6-0.1s", "keepalived6-0.1s"),
             ("carpd6-1s", "carpd-1s"), ("carpd6-0.1s", "carpd-0.1s"),
             ("keepalived6-1s", "keepalived-1s"),
             ("carpd-3h-1s", "keepalived-3h-1s"),
             ("carpd-3h-0.1s", "keepalived-3h-0.1s")]
    print("ratios of medians (same run)           crash takeover  crash lateness"
          "  graceful hand-over")
    for a, b in pairs:
        if a in notes and b in notes:
            print("  %-36s %-15s %-15s %s" % (
                "%s / %s" % (a, b),
                ratio(m(a, "crash", "interval_s"), m(b, "crash", "interval_s")),
                ratio(m(a, "crash", "lateness_s"), m(b, "crash", "lateness_s")),
                ratio(m(a, "graceful", "from_event_s"),
                      m(b, "graceful", "from_event_s"))))
    print("  (lateness of a fraction of a millisecond is scheduling noise of "
          "the shared CPUs:")
    print("  its ratio only matters when one side is late by much more)")
    print()
    if three:
        summary_three(three, recs, vals, bad)
    if stab:
        print("stability (3 carpd hosts, transitions after settling must be 0):")
        for s in stab:
            print("  advbase 0 advskew %s/%s/%s  %ss: transitions=%s "
                  "foreign_adverts=%s master_adverts=%s max_gap=%.1f ms "
                  "(backup down %.1f ms; stable needs < half) -> %s" % (
                      s["m"], s["b"], s["b2"], s["secs"], s["transitions"],
                      s["foreign_adverts"], s["master_adverts"],
                      float(s["max_gap_s"]) * 1000,
                      float(s["down_s"]) * 1000, s["verdict"]))
    short = [c for c in cases if c["case"] == "carpd-short"]
    if short:
        c = short[0]
        tk = vals("carpd-short", "crash", "interval_s")
        gr = vals("carpd-short", "graceful", "from_event_s")
        print()
        print("carpd shortest stable setting: %s (advert %s s, ideal "
              "master-down %.6f s)" % (c["setting"], c["advert"],
                                       float(c["ideal"])))
        print("  crash takeover %s s; graceful hand-over %s s" % (
            fmt(tk, 1, 4), fmt(gr, 1, 4)))
    elif stab:
        print()
        print("carpd shortest stable setting: none of the candidates was "
              "stable")


def summary_three(three, recs, vals, bad):
    """Three hosts, graceful: hand-over to the preferred backup."""
    print("three hosts, graceful (SIGTERM the master; host 2 is the "
          "preferred backup):")
    hdr = "  %-19s %-10s %-8s %-27s %-24s %s" % (
        "case", "daemon", "advert", "hand-over ms", "graceful late ms",
        "extra masters")
    print(hdr)
    for c in three:
        name = c["case"]
        gr = vals(name, "graceful", "from_event_s")
        gl = vals(name, "graceful", "lateness_s")
        ex = [int(r["extra_masters"]) for r in recs if r["case"] == name
              and r["kind"] == "graceful" and r["status"] == "ok"
              and r["extra_masters"] not in ("-", "")]
        print("  %-19s %-10s %-8s %-27s %-24s %s" % (
            name, c["daemon"], c["advert"], fmt(gr, 1000, 3),
            fmt(gl, 1000, 3), "%d in %d rounds (%d rounds with any)" % (
                sum(ex), len(ex), sum(1 for x in ex if x))))
        nb = bad(name, "graceful")
        if nb:
            print("  %-19s !! %d round(s) not ok" % ("", nb))
    print("  extra masters = backups other than host 2 that logged MASTER or "
          "advertised after the signal")
    print("  goal (carpd): 0 extra masters, hand-over under 5 ms")
    print()


def cmd_plotdata(args):
    """Data files for bench/plot-failover.gp: one line per case,
    "label median min max" in ms (and extra masters for three hosts)."""
    path, out = args
    recs, cases = [], []
    with open(path) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if cols[0] in ("crash", "graceful") and \
                    len(cols) in (len(FIELDS) - 1, len(FIELDS)):
                recs.append(dict(zip(FIELDS, cols + ["-"])))
            elif cols[0] == "case":
                cases.append(dict(c.split("=", 1) for c in cols[1:]))
    os.makedirs(out, exist_ok=True)

    def vals(case, kind, field):
        return [float(r[field]) * 1000 for r in recs
                if r["case"] == case and r["kind"] == kind
                and r["status"] == "ok" and r[field] != "-"]

    def row(f, name, xs, tail=""):
        if xs:
            # a log scale wants no zero: a floor of 1 us
            f.write('"%s" %.4f %.4f %.4f%s\n' % (
                name, max(med(xs), 0.001), max(min(xs), 0.001),
                max(xs), tail))

    with open(os.path.join(out, "crash.dat"), "w") as f:
        for c in cases:
            if c.get("hosts") != "3":
                row(f, c["case"], vals(c["case"], "crash", "lateness_s"))
    with open(os.path.join(out, "graceful.dat"), "w") as f:
        for c in cases:
            if c.get("hosts") != "3":
                row(f, c["case"], vals(c["case"], "graceful", "from_event_s"))
    with open(os.path.join(out, "three.dat"), "w") as f:
        for c in cases:
            if c.get("hosts") != "3":
                continue
            ex = [int(r["extra_masters"]) for r in recs
                  if r["case"] == c["case"] and r["kind"] == "graceful"
                  and r["status"] == "ok" and r["extra_masters"] != "-"]
            row(f, c["case"], vals(c["case"], "graceful", "from_event_s"),
                ' "%d/%d"' % (sum(ex), len(ex)))


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "round" and len(args) == 14:
        cmd_round(args)
    elif cmd == "stable" and len(args) == 4:
        cmd_stable(args)
    elif cmd == "summary" and len(args) == 1:
        cmd_summary(args)
    elif cmd == "plotdata" and len(args) == 2:
        cmd_plotdata(args)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
