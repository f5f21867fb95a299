#!/usr/bin/python3
"""Send COUNT frames of one kind of CARP junk, for tests/netns/h_bpf.sh.

Run inside a test namespace only.  Kinds: those of hostile.py (ttl,
fragment, version, type, authlen, length, short, unknown-vhid, hmac...,
for --vhid or another vhid), and IPv6 ones: ip6-exthdr (a hop-by-hop
header before CARP), ip6-hoplimit (64), ip6-hmac (well formed, wrong
digest), all to ff02::12.  The frames are built first, then sent back
to back.  Prints "sent KIND N in T s".
"""
import argparse
import os
import random
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile  # noqa: E402
from scapy.all import Ether, IPv6, Raw  # noqa: E402
from scapy.layers.inet6 import IPv6ExtHdrHopByHop  # noqa: E402


def ip6(vhid, hlim=255, ext=False):
    ip = IPv6(src="fe80::%x" % random.randint(0x10, 0xffff), dst="ff02::12",
              hlim=hlim)
    payload = Raw(hostile.carp(vhid, advskew=0))
    pkt = ip / IPv6ExtHdrHopByHop(nh=112) / payload if ext else ip / payload
    if not ext:
        pkt.nh = 112
    return bytes(Ether(dst="33:33:00:00:00:12", src=hostile.SMAC) / pkt)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iface", default="eth0")
    ap.add_argument("--vhid", type=int, required=True)
    ap.add_argument("--kind", required=True)
    ap.add_argument("--count", type=int, default=50)
    a = ap.parse_args()
    if a.count > 10000:
        sys.exit("bpf_junk.py: refusing more than 10000 frames")
    with open("/sys/class/net/%s/address" % a.iface) as f:
        hostile.SMAC = f.read().strip()
    table = hostile.kinds(a.vhid, [hostile.LAN + "1"])
    table["ip6-exthdr"] = lambda: ip6(a.vhid, ext=True)
    table["ip6-hoplimit"] = lambda: ip6(a.vhid, hlim=64)
    table["ip6-hmac"] = lambda: ip6(a.vhid)
    if a.kind not in table:
        sys.exit("bpf_junk.py: unknown kind %s; one of %s" %
                 (a.kind, " ".join(sorted(table))))
    frames = [table[a.kind]() for _ in range(a.count)]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    start = time.monotonic()
    for f in frames:            # built first: sent back to back
        s.send(f)
    took = time.monotonic() - start
    print("sent %s %d in %.3f s" % (a.kind, a.count, took))


if __name__ == "__main__":
    main()
