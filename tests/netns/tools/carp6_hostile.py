#!/usr/bin/env python3
"""IPv6 CARP frames a receiver must drop (scapy), one kind at a time.

    carp6_hostile.py --iface IF --replay PCAP --vhid N [--times K]
        send the vhid's captured IPv6 adverts again, as they were
    carp6_hostile.py --iface IF --junk KIND --src ADDR --dst-mac MAC
        send 5 frames of KIND, built from a good advert of vhid 7:
        hoplimit   hop limit 64 instead of 255
        exthdr     a hop-by-hop options header before CARP
        fragment   a fragment header before CARP
        checksum   a wrong CARP checksum
        length     a CARP header cut to 20 bytes (payload length 20)
        dst        to a unicast address that is not the receiver's
"""
import argparse
import os
import struct
import sys
import time

from scapy.all import (Ether, IPv6, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       Raw, rdpcap, sendp)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from carp_wire import cksum  # noqa: E402


def carp(vhid, bad_cksum=False):
    h = bytearray(struct.pack("!BBBBBBH", 0x21, vhid, 0, 7, 0, 1, 0))
    h += struct.pack("!Q", 12345) + b"\x11" * 20
    c = cksum(bytes(h))
    struct.pack_into("!H", h, 6, c ^ 0x5555 if bad_cksum else c)
    return bytes(h)


def junk(o):
    eth = Ether(src="02:00:00:00:66:66", dst="33:33:00:00:00:12")
    grp = "ff02::12"
    k = o.junk
    if k == "hoplimit":
        p = eth / IPv6(src=o.src, dst=grp, nh=112, hlim=64) / Raw(carp(7))
    elif k == "exthdr":
        p = eth / IPv6(src=o.src, dst=grp, hlim=255) / \
            IPv6ExtHdrHopByHop(nh=112) / Raw(carp(7))
    elif k == "fragment":
        p = eth / IPv6(src=o.src, dst=grp, hlim=255) / \
            IPv6ExtHdrFragment(nh=112, m=0, offset=0, id=1) / Raw(carp(7))
    elif k == "checksum":
        p = eth / IPv6(src=o.src, dst=grp, nh=112, hlim=255) / \
            Raw(carp(7, bad_cksum=True))
    elif k == "length":
        p = eth / IPv6(src=o.src, dst=grp, nh=112, hlim=255) / \
            Raw(carp(7)[:20])
    elif k == "dst":
        p = Ether(src="02:00:00:00:66:66", dst=o.dst_mac) / \
            IPv6(src=o.src, dst="2001:db8::dead", nh=112, hlim=255) / \
            Raw(carp(7))
    else:
        raise SystemExit("no such kind: %s" % k)
    sendp([p] * 5, iface=o.iface, verbose=False)


def replay(o):
    frames = []
    for p in rdpcap(o.replay):
        if IPv6 in p and p[IPv6].nh == 112 and \
                bytes(p[IPv6].payload)[1] == o.vhid:
            frames.append(p)
    if not frames:
        raise SystemExit("no IPv6 advert of vhid %d in %s" % (o.vhid,
                                                              o.replay))
    for _ in range(o.times):
        for p in frames:
            sendp(p, iface=o.iface, verbose=False)
            time.sleep(0.05)
    print("replayed %d adverts %d times" % (len(frames), o.times))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--replay")
    ap.add_argument("--vhid", type=int, default=7)
    ap.add_argument("--times", type=int, default=1)
    ap.add_argument("--junk")
    ap.add_argument("--src", default="fe80::6666")
    ap.add_argument("--dst-mac", default="ff:ff:ff:ff:ff:ff")
    o = ap.parse_args()
    if o.replay:
        replay(o)
    else:
        junk(o)


if __name__ == "__main__":
    main()
