#!/usr/bin/python3
"""Helpers of bench/scale (stdlib only).

  scale-stats.py procs PID...
      one line for the processes together: "NPROC TICKS SCHED_NS RSS_KB
      PSS_KB" -- utime+stime in clock ticks (/proc/PID/stat), time on a
      CPU in ns (/proc/PID/schedstat, 0 if absent), VmRSS and Pss
      (/proc/PID/smaps_rollup, -1 if absent) summed over the PIDs still
      there.

  scale-stats.py jitter PCAP SRC ADVBASE
      CARP adverts (or VRRP: IP protocol 112 as well, the id at the same
      offset) from SRC in PCAP (Ethernet, or Linux cooked v1/v2 from
      `tcpdump -i any`; IPv4), SRC "-" for any source: per vhid and
      source address, the intervals between consecutive adverts; over
      all of them, the absolute deviation from ADVBASE seconds.  Prints
      one line: "ADVERTS VHIDS INTERVALS MEDIAN_MS P99_MS MAX_MS
      MEAN_INTERVAL_S".
"""
import struct
import sys


def proc_sample(pids):
    n = ticks = sched = rss = 0
    pss = 0
    have_pss = True
    for pid in pids:
        try:
            with open("/proc/%s/stat" % pid) as f:
                stat = f.read()
            fields = stat[stat.rindex(")") + 2:].split()
            # fields[0] is field 3 (state): utime is field 14, stime 15
            t = int(fields[11]) + int(fields[12])
            with open("/proc/%s/status" % pid) as f:
                r = 0
                for line in f:
                    if line.startswith("VmRSS:"):
                        r = int(line.split()[1])
            s = 0
            try:
                with open("/proc/%s/schedstat" % pid) as f:
                    s = int(f.read().split()[0])
            except OSError:
                pass
            p = None
            try:
                with open("/proc/%s/smaps_rollup" % pid) as f:
                    for line in f:
                        if line.startswith("Pss:"):
                            p = int(line.split()[1])
            except OSError:
                pass
        except (OSError, ValueError, IndexError):
            continue    # gone meanwhile
        n += 1
        ticks += t
        sched += s
        rss += r
        if p is None:
            have_pss = False
        else:
            pss += p
    print(n, ticks, sched, rss, pss if have_pss else -1)


def pcap_packets(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic == b"\xd4\xc3\xb2\xa1":
        endian, scale = "<", 1e-6
    elif magic == b"\xa1\xb2\xc3\xd4":
        endian, scale = ">", 1e-6
    elif magic == b"\x4d\x3c\xb2\xa1":
        endian, scale = "<", 1e-9
    elif magic == b"\xa1\xb2\x3c\x4d":
        endian, scale = ">", 1e-9
    else:
        raise SystemExit("scale-stats.py: %s: not a pcap file" % path)
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype not in (1, 113, 276):
        raise SystemExit("scale-stats.py: %s: not Ethernet or Linux cooked"
                         % path)
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        frame = data[off:off + incl]
        off += incl
        # The same shape as Ethernet: 12 bytes, the EtherType, the packet.
        if linktype == 113:             # SLL: the protocol at 14
            frame = frame[2:14] + frame[14:16] + frame[16:]
        elif linktype == 276:           # SLL2: the protocol at 0
            frame = frame[8:20] + frame[0:2] + frame[20:]
        yield sec + frac * scale, frame


def jitter(path, src, advbase):
    last = {}
    devs = []
    intervals = []
    adverts = 0
    for t, frame in pcap_packets(path):
        if len(frame) < 14 + 20 + 8 or frame[12:14] != b"\x08\x00":
            continue
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        if ip[9] != 112 or len(ip) < ihl + 8:
            continue
        addr = ".".join(str(b) for b in ip[12:16])
        if src != "-" and addr != src:
            continue
        vhid = (addr, ip[ihl + 1])
        adverts += 1
        if vhid in last:
            d = t - last[vhid]
            intervals.append(d)
            devs.append(abs(d - advbase) * 1000.0)
        last[vhid] = t
    if not devs:
        print(adverts, len(last), 0, "nan nan nan nan")
        return
    devs.sort()
    med = devs[len(devs) // 2] if len(devs) % 2 else \
        (devs[len(devs) // 2 - 1] + devs[len(devs) // 2]) / 2
    p99 = devs[min(len(devs) - 1, int(0.99 * len(devs)))]
    print(adverts, len(last), len(devs), "%.3f %.3f %.3f %.6f" %
          (med, p99, devs[-1], sum(intervals) / len(intervals)))


def main(argv):
    if len(argv) >= 2 and argv[1] == "procs":
        proc_sample(argv[2:])
    elif len(argv) == 5 and argv[1] == "jitter":
        jitter(argv[2], argv[3], float(argv[4]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
