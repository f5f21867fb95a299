#!/usr/bin/python3
"""Write the junk flood of bench/flood as a pcap file, for tcpreplay.

The frames are those of tests/netns/tools/hostile.py (one kind for each
reason carpd drops a frame for, forged adverts with a wrong digest), plus
IPv6 CARP junk (extension headers, hop limit, other vhids), in equal
shares, shuffled.  Usage: flood-pcap.py OUT.pcap VHID COUNT [TARGET...]
"""
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "netns", "tools"))
import hostile  # noqa: E402
from scapy.all import Ether, IPv6, Raw, wrpcap  # noqa: E402
from scapy.layers.inet6 import IPv6ExtHdrHopByHop  # noqa: E402

GROUP6 = "ff02::12"
GROUP6_MAC = "33:33:00:00:00:12"


def ip6_frame(payload, hlim=255, ext=False):
    ip = IPv6(src="2001:db8::%x" % random.randint(0x10, 0xffff), dst=GROUP6,
              hlim=hlim)
    pkt = ip / IPv6ExtHdrHopByHop(nh=112) / Raw(payload) if ext else \
        ip / Raw(payload)
    if not ext:
        pkt.nh = 112
    return bytes(Ether(dst=GROUP6_MAC, src=hostile.SMAC) / pkt)


def kinds6(vhid):
    other = [v for v in range(1, 256) if v != vhid]
    return {
        "ip6-exthdr": lambda: ip6_frame(hostile.carp(vhid, advskew=0), ext=True),
        "ip6-hoplimit": lambda: ip6_frame(hostile.carp(vhid, advskew=0),
                                          hlim=random.choice((1, 64, 254))),
        "ip6-vhid": lambda: ip6_frame(hostile.carp(random.choice(other))),
        "ip6-hmac": lambda: ip6_frame(hostile.carp(vhid, advskew=0)),
    }


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__.splitlines()[-1])
    out, vhid, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    targets = sys.argv[4:] or [hostile.LAN + "1"]
    random.seed(vhid)
    table = dict(hostile.kinds(vhid, targets))
    table.pop("oversized")      # 1.2 kB: it would set the rate alone
    table.update(kinds6(vhid))
    names = sorted(table)
    frames = [table[names[i % len(names)]]() for i in range(count)]
    random.shuffle(frames)
    wrpcap(out, [Ether(f) for f in frames])
    print("wrote %d frames of %d kinds to %s" % (count, len(names), out))


if __name__ == "__main__":
    main()
