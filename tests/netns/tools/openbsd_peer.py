#!/usr/bin/python3
"""An OpenBSD-style CARP peer for tests/netns/w_openbsd.sh.

Run inside a test namespace only.  Sends a correct advert (HMAC-SHA1 of
doc/protocol.md "HMAC") for one vhid every advbase + advskew/256 s, with
a constant counter as OpenBSD does, and a demote byte read anew before
each advert from --demote-file (so the test can change it while this
runs).  Prints "sent demote N" whenever the byte changes.  With
--check-pcap FILE it sends nothing: it prints the demote byte of every
CARP advert from --src in FILE, one a line.
"""
import argparse
import hashlib
import hmac
import socket
import struct
import sys
import time

from scapy.all import Ether, IP, Raw, checksum, get_if_hwaddr, rdpcap  # noqa

GROUP = "224.0.0.18"
GROUP_MAC = "01:00:5e:00:00:12"
COUNTER = 0x0123456789ABCDEF


def digest(key, vhid, vip, counter):
    msg = bytes([0x02, 0x01, vhid]) + socket.inet_aton(vip)
    msg += struct.pack("!Q", counter)
    return hmac.new(key, msg, hashlib.sha1).digest()


def advert(key, vhid, vip, advbase, advskew, demote):
    hdr = struct.pack("!BBBBBBHQ", 0x21, vhid, advskew, 7, demote, advbase,
                      0, COUNTER) + digest(key, vhid, vip, COUNTER)
    ck = checksum(hdr)
    return hdr[:6] + struct.pack("!H", ck) + hdr[8:]


def read_demote(path):
    try:
        with open(path) as f:
            return max(0, min(255, int(f.read().strip() or "0")))
    except (OSError, ValueError):
        return 0


def check_pcap(path, src):
    for p in rdpcap(path):
        if IP in p and p[IP].proto == 112 and p[IP].src == src:
            print(bytes(p[IP].payload)[4])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", default="eth0")
    ap.add_argument("--src", required=True)
    ap.add_argument("--vhid", type=int, default=1)
    ap.add_argument("--vip")
    ap.add_argument("--passfile")
    ap.add_argument("--advbase", type=int, default=1)
    ap.add_argument("--advskew", type=int, default=0)
    ap.add_argument("--demote-file")
    ap.add_argument("--check-pcap")
    a = ap.parse_args()
    if a.check_pcap:
        check_pcap(a.check_pcap, a.src)
        return 0
    with open(a.passfile, "rb") as f:
        key = f.readline().rstrip(b"\r\n")
    mac = get_if_hwaddr(a.iface)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    last = None
    interval = a.advbase + a.advskew / 256.0
    while True:
        d = read_demote(a.demote_file)
        if d != last:
            print("sent demote %d" % d, flush=True)
            last = d
        ip = IP(src=a.src, dst=GROUP, ttl=255, proto=112, tos=0x10)
        frame = Ether(dst=GROUP_MAC, src=mac, type=0x0800) / ip / Raw(
            advert(key, a.vhid, a.vip, a.advbase, a.advskew, d))
        s.send(bytes(frame))
        time.sleep(interval)


if __name__ == "__main__":
    sys.exit(main())
