#!/usr/bin/python3
"""The table of bench/firewall (stdlib only).

  firewall-stats.py RESULTS

RESULTS: the tab-separated records bench/firewall writes, "#" comments:
  kind daemon round in_s out_s both_s takeover_s stall_s status
Prints, per kind and daemon, the median and the maximum of the rounds
that are ok, how many were not, and the same-run ratios carpd/keepalived
of the medians.
"""
import statistics
import sys

FIELDS = "kind daemon round in_s out_s both_s takeover_s stall_s status".split()


def load(path):
    recs = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) == len(FIELDS):
                recs.append(dict(zip(FIELDS, cols)))
    return recs


def vals(recs, kind, daemon, field):
    return [float(r[field]) for r in recs
            if r["kind"] == kind and r["daemon"] == daemon
            and r["status"] == "ok" and r[field] != "-"]


def cell(xs):
    if not xs:
        return "-"
    return "%.3f / %.3f" % (statistics.median(xs), max(xs))


def ratio(a, b):
    if not a or not b or statistics.median(b) == 0:
        return "-"
    return "%.3f" % (statistics.median(a) / statistics.median(b))


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    recs = load(sys.argv[1])
    daemons = ("carpd", "keepalived")
    print("cut of fw1's outside switch port -> addresses on fw2 "
          "(s from fw1's carrier loss; median / max)")
    print("  %-11s %-17s %-17s %-17s %s" % ("daemon", "inside", "outside",
                                            "both", "rounds ok/all"))
    for d in daemons:
        allr = [r for r in recs if r["kind"] == "cut" and r["daemon"] == d]
        if not allr:
            continue
        ok = [r for r in allr if r["status"] == "ok"]
        print("  %-11s %-17s %-17s %-17s %d/%d%s" % (
            d, cell(vals(recs, "cut", d, "in_s")),
            cell(vals(recs, "cut", d, "out_s")),
            cell(vals(recs, "cut", d, "both_s")), len(ok), len(allr),
            "".join(" (r%s %s)" % (r["round"], r["status"])
                    for r in allr if r["status"] != "ok")))
    print()
    print("crash of fw1 with conntrackd: TCP stream client -> server "
          "(s; median / max)")
    print("  %-11s %-17s %-17s %s" % ("daemon", "takeover", "stall",
                                      "rounds ok/all"))
    for d in daemons:
        allr = [r for r in recs if r["kind"] == "stall" and r["daemon"] == d]
        if not allr:
            continue
        ok = [r for r in allr if r["status"] == "ok"]
        print("  %-11s %-17s %-17s %d/%d%s" % (
            d, cell(vals(recs, "stall", d, "takeover_s")),
            cell(vals(recs, "stall", d, "stall_s")), len(ok), len(allr),
            "".join(" (r%s %s)" % (r["round"], r["status"])
                    for r in allr if r["status"] != "ok")))
    print()
    print("ratios of medians, carpd / keepalived (same run):")
    for label, kind, field in (("cut: inside", "cut", "in_s"),
                               ("cut: outside", "cut", "out_s"),
                               ("cut: both", "cut", "both_s"),
                               ("crash: takeover", "stall", "takeover_s"),
                               ("crash: TCP stall", "stall", "stall_s")):
        print("  %-18s %s" % (label, ratio(vals(recs, kind, "carpd", field),
                                           vals(recs, kind, "keepalived",
                                                field))))
    print("  (a takeover is the master-down interval, 3.39 s for both, "
          "unless the old master says it is leaving;")
    print("  the stall adds the sender's TCP retransmission back-off)")


if __name__ == "__main__":
    main()
