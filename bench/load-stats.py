#!/usr/bin/python3
"""Analysis half of bench/load (stdlib only).

  load-stats.py wire PCAP MASTER_IP ADVERT_S T0 T1 [SENT_PCAP HEARD_PCAP]
      the tail of one TSV record (key=value fields, stdout): the master's
      adverts between T0 and T1 (CLOCK_REALTIME, as tcpdump stamps them),
      the gaps between them (largest, 99.9th percentile, how many exceed
      2 intervals, in ms and in advert intervals) and the adverts anyone
      else sent (a backup that became master); with SENT_PCAP and
      HEARD_PCAP (captures on the master's and the backup's eth0) also the
      largest gap as the master sent them and as the backup heard them
  load-stats.py steal SECS
      samples /proc/stat every 10 ms for SECS seconds and prints two
      key=value fields: steal_ms, the time the hypervisor held the
      machine's CPUs back (summed over the CPUs), and steal_burst_ms, the
      most any one CPU lost within 100 ms (a freeze of the virtual machine
      stops every process, real-time or not)
  load-stats.py summary RESULTS
      the human table from a results file written by bench/load

The frames are read by bench/failover-stats.py's reader (IPv4 and IPv6,
CARP and VRRPv3).
"""
import importlib.util
import math
import os
import statistics
import sys
import time

_spec = importlib.util.spec_from_file_location(
    "failover_stats",
    os.path.join(os.path.dirname(os.path.abspath(__file__)),
                 "failover-stats.py"))
fs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fs)


def pct(xs, p):
    """The p-th percentile (nearest rank) of a sorted list."""
    if not xs:
        return 0.0
    k = max(0, min(len(xs) - 1, math.ceil(p / 100.0 * len(xs)) - 1))
    return xs[k]


def runs(fr, master):
    """How many times the sender changed from the master to someone else."""
    n, prev = 0, master
    for _, src, *_ in fr:
        if src != master and prev == master:
            n += 1
        prev = src
    return n


def max_gap(pcap, master, t0, t1):
    ts = [x[0] for x in fs.frames(pcap) if t0 <= x[0] <= t1 and x[1] == master]
    return max((b - a for a, b in zip(ts, ts[1:])), default=0.0)


def cmd_wire(args):
    pcap, master, advert, t0, t1 = args[:5]
    advert, t0, t1 = float(advert), float(t0), float(t1)
    fr = [x for x in fs.frames(pcap) if t0 <= x[0] <= t1]
    mine = [x[0] for x in fr if x[1] == master]
    other = [x for x in fr if x[1] != master]
    gaps = sorted(b - a for a, b in zip(mine, mine[1:]))
    mx = gaps[-1] if gaps else 0.0
    print("\t".join([
        "master_adverts=%d" % len(mine),
        "expected_adverts=%d" % int((t1 - t0) / advert),
        "foreign_adverts=%d" % len(other),
        "foreign_runs=%d" % runs(fr, master),
        "max_gap_ms=%.3f" % (mx * 1000),
        "max_gap_intervals=%.2f" % (mx / advert),
        "p999_gap_ms=%.3f" % (pct(gaps, 99.9) * 1000),
        "median_gap_ms=%.3f" % ((statistics.median(gaps) if gaps else 0) * 1000),
        "gaps_over_2=%d" % sum(1 for g in gaps if g > 2 * advert)] + [
            "%s_max_gap_ms=%.3f" % (w, max_gap(p, master, t0, t1) * 1000)
            for w, p in zip(("sent", "heard"), args[5:])] + ["status=ok"]))


def steal_now():
    """Per-CPU steal, in clock ticks (proc(5): the 8th value of cpuN)."""
    with open("/proc/stat") as f:
        return [int(line.split()[8]) for line in f
                if line.startswith("cpu") and line[3].isdigit()]


def cmd_steal(args):
    tick_ms = 1000.0 / os.sysconf("SC_CLK_TCK")
    end = time.monotonic() + float(args[0])
    start = steal_now()
    hist = [(time.monotonic(), start)]
    burst = 0
    while time.monotonic() < end:
        time.sleep(0.01)
        now = (time.monotonic(), steal_now())
        hist.append(now)
        while now[0] - hist[0][0] > 0.1:
            hist.pop(0)
        burst = max([burst] + [b - a for a, b in zip(hist[0][1], now[1])])
    print("steal_ms=%d\tsteal_burst_ms=%d" % (
        (sum(hist[-1][1]) - sum(start)) * tick_ms, burst * tick_ms))


def read(path):
    recs, notes = [], []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith(("# bench/load", "# loadavg", "# load:")):
                notes.append(line[2:])
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if cols[0] == "load":
                recs.append(dict(c.split("=", 1) for c in cols[1:] if "=" in c))
    return recs, notes


def ratio(a, b):
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return "-"
    return "%.3f" % (a / b) if b else "-"


def cmd_summary(args):
    recs, notes = read(args[0])
    for n in notes:
        print(n)
    print()
    hdr = "%-14s %-7s %4s %5s %7s %8s %9s %7s %6s %8s %8s %-6s %s" % (
        "case", "advert", "secs", "trans", "backup", "max gap", "max gap",
        "p99.9", ">2 int", "sent", "heard", "sched", "capture")
    print(hdr)
    print("%-14s %-7s %4s %5s %7s %8s %9s %7s %6s %8s %8s" % (
        "", "ms", "", "", "adverts", "ms", "intervals", "gap ms", "gaps",
        "max ms", "max ms"))
    print("-" * len(hdr))
    by = {}
    for r in recs:
        by[r["case"]] = r
        if r.get("status") != "ok":
            print("%-14s !! %s" % (r["case"], r.get("status", "?")))
            continue
        print("%-14s %-7.3f %4s %5s %7s %8s %9s %7s %6s %8s %8s %-6s %s" % (
            r["case"], float(r["advert_s"]) * 1000, r["secs"],
            r["transitions"], r["foreign_adverts"], r["max_gap_ms"],
            r["max_gap_intervals"], r["p999_gap_ms"], r["gaps_over_2"],
            r.get("sent_max_gap_ms", "-"), r.get("heard_max_gap_ms", "-"),
            r["sched_h1"].split(",")[0], r["capture"]))
    print()
    print("trans = state changes logged by either host during the load; "
          "backup adverts = adverts")
    print("sent by the backup (it became master); gaps between the master's "
          "adverts on the bridge (the wire);")
    print("sent / heard = the largest gap on the master's eth0 as they leave "
          "/ on the backup's eth0;")
    print("sched = policy of the master's sending process; loadavg before "
          "-> at end of each case:")
    for r in recs:
        if r.get("status") == "ok":
            print("  %-14s %s -> %s" % (r["case"], r["loadavg_before"],
                                        r["loadavg_end"]))
    print("steal = time the hypervisor did not run the machine's CPUs "
          "during each case (all CPUs;")
    print("largest loss of one CPU within 100 ms): a freeze of the virtual "
          "machine stops every daemon")
    for r in recs:
        if r.get("status") == "ok":
            print("  %-14s %s ms, largest %s ms in 100 ms" % (
                r["case"], r.get("steal_ms", "-"),
                r.get("steal_burst_ms", "-")))
    print()
    pairs = [("carpd-rt", "carpd-nort"), ("carpd-rt", "keepalived"),
             ("carpd-rt", "keepalived-rt"), ("carpd-nort", "keepalived")]
    shown = False
    for a, b in pairs:
        if a in by and b in by and by[a].get("status") == "ok" \
                and by[b].get("status") == "ok":
            if not shown:
                print("ratios (same run)              max gap ms  "
                      "max gap intervals  transitions")
                shown = True
            print("  %-28s %-11s %-18s %s" % (
                "%s / %s" % (a, b),
                ratio(by[a]["max_gap_ms"], by[b]["max_gap_ms"]),
                ratio(by[a]["max_gap_intervals"], by[b]["max_gap_intervals"]),
                "%s vs %s" % (by[a]["transitions"], by[b]["transitions"])))
    r = by.get("carpd-rt")
    if r and r.get("status") == "ok":
        ok = r["transitions"] == "0" and float(r["max_gap_intervals"]) < 2
        print()
        print("goal (carpd-rt: 0 transitions, largest gap under 2 intervals): "
              "%s" % ("met" if ok else "NOT met"))


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "wire" and len(args) in (5, 7):
        cmd_wire(args)
    elif cmd == "steal" and len(args) == 1:
        cmd_steal(args)
    elif cmd == "summary" and len(args) == 1:
        cmd_summary(args)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
