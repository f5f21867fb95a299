#!/usr/bin/python3
"""Hostile and malformed CARP traffic for carpd's hardening tests.

Run inside a test namespace of tests/netns (never anywhere else): sends a
bounded number of frames (--count over --duration seconds) out of --iface
to the CARP group 224.0.0.18 (or unicast to addresses of the test LAN
192.0.2.0/24), cycling through kinds of bad frames, one for each reason
carpd drops a packet for, plus well-formed adverts for the group's vhid
with wrong digests and a better priority.  Prints how many of each kind
it sent, as "sent KIND N" lines, then "sent total N in T s".
"""
import argparse
import os
import random
import socket
import struct
import sys
import time

from scapy.all import Ether, IP, Raw, checksum  # noqa: E402

GROUP = "224.0.0.18"
GROUP_MAC = "01:00:5e:00:00:12"
LAN = "192.0.2."
SMAC = "02:00:00:00:00:01"     # replaced by --iface's own MAC


def carp(vhid, advskew=0, advbase=1, version=2, typ=1, authlen=7,
         demote=0, counter=None, md=None, good_cksum=True, extra=b""):
    """A 36-byte CARP header (plus extra bytes), checksummed."""
    if counter is None:
        counter = random.getrandbits(64)
    if md is None:
        md = os.urandom(20)
    hdr = struct.pack("!BBBBBBHQ", (version << 4) | (typ & 0x0F), vhid,
                      advskew, authlen, demote, advbase, 0, counter) + md
    hdr += extra
    ck = checksum(hdr)
    if not good_cksum:
        ck ^= 0x5A5A
    return hdr[:6] + struct.pack("!H", ck) + hdr[8:]


def ip_frame(payload, src=None, dst=GROUP, dmac=GROUP_MAC, ttl=255,
             proto=112, flags="DF", frag=0, ihl=None, tot=None,
             good_cksum=True, options=b""):
    if src is None:
        src = LAN + str(random.randint(3, 254))
    ip = IP(src=src, dst=dst, ttl=ttl, proto=proto, flags=flags, frag=frag,
            tos=0x10, id=random.getrandbits(16))
    if options:
        from scapy.all import IPOption
        ip.options = [IPOption(options)]
    if ihl is not None:
        ip.ihl = ihl
    if tot is not None:
        ip.len = tot
    raw = bytearray(bytes(ip / Raw(payload)))
    if not good_cksum:
        raw[10] ^= 0xA5
    return bytes(Ether(dst=dmac, src=SMAC, type=0x0800) / Raw(bytes(raw)))


def vrrp2(vrid, prio=255, count=1):
    """A VRRPv2 advert: version 2, type 1, 16 + 4n bytes."""
    body = struct.pack("!BBBBBBH", 0x21, vrid, prio, count, 0, 1, 0)
    body += b"".join(socket.inet_aton(LAN + str(100 + i))
                     for i in range(count))
    body += b"\0" * 8
    ck = checksum(body)
    return body[:6] + struct.pack("!H", ck) + body[8:]


def kinds(vhid, targets):
    """name -> function returning one frame (bytes)."""
    other = [v for v in range(1, 256) if v != vhid]

    def short():
        f = ip_frame(carp(vhid))
        return f[:random.randint(24, 33)]

    def ip_header():
        c = random.choice((0, 1, 2))
        if c == 0:      # IHL below 5
            return ip_frame(carp(vhid), ihl=4)
        if c == 1:      # total length beyond the frame
            return ip_frame(carp(vhid), tot=400)
        f = bytearray(ip_frame(carp(vhid)))   # version 6 in an IPv4 frame
        f[14] = 0x65
        return bytes(f)

    def ethertype():    # filtered by the kernel (not ip proto 112)
        f = bytearray(ip_frame(carp(vhid)))
        f[12:14] = random.choice((b"\x86\xdd", b"\x81\x00", b"\x08\x06"))
        return bytes(f)

    def protocol():     # also filtered by the kernel
        return ip_frame(carp(vhid), proto=random.choice((6, 17, 113, 254)))

    def ip_checksum():
        return ip_frame(carp(vhid), good_cksum=False)

    def fragment():
        if random.random() < 0.5:
            return ip_frame(carp(vhid), flags="MF")
        return ip_frame(carp(vhid), flags=0, frag=random.randint(1, 100))

    def ttl():
        return ip_frame(carp(vhid), ttl=random.choice((0, 1, 64, 128, 254)))

    def length():
        c = random.choice((0, 1, 2, 3))
        if c == 0:      # VRRPv2 to 224.0.0.18, 20 bytes
            return ip_frame(vrrp2(vhid))
        if c == 1:      # VRRPv2 with three addresses
            return ip_frame(vrrp2(random.choice(other), count=3))
        if c == 2:      # a CARP header with trailing junk
            return ip_frame(carp(vhid, advskew=0, extra=os.urandom(8)))
        return ip_frame(carp(vhid)[:28])        # truncated CARP header

    def oversized():    # beyond carpd's snap length: caplen < len
        return ip_frame(carp(vhid, advskew=0, extra=os.urandom(1200)))

    def carp_checksum():
        return ip_frame(carp(vhid, advskew=0, advbase=0, good_cksum=False))

    def version():
        return ip_frame(carp(vhid, advskew=0, version=random.choice((1, 3, 0, 15))))

    def typ():
        return ip_frame(carp(vhid, advskew=0, typ=random.choice((0, 2, 15))))

    def authlen():
        return ip_frame(carp(vhid, advskew=0, authlen=random.choice((0, 6, 8, 255))))

    def unknown_vhid():
        return ip_frame(carp(random.choice(other), advskew=0))

    def destination():  # unicast IP in a group frame
        return ip_frame(carp(vhid, advskew=0), dst=random.choice(targets))

    def ip_options():   # IHL 6: fine on the wire, then a bad digest
        return ip_frame(carp(vhid, advskew=0, advbase=0),
                        options=b"\x94\x04\x00\x00")

    def forged():       # good frame, better priority, wrong digest
        return ip_frame(carp(vhid, advskew=0, advbase=random.choice((0, 1)),
                             demote=random.choice((0, 0, 255))),
                        dmac=random.choice((GROUP_MAC, "ff:ff:ff:ff:ff:ff")))

    def forged_bowout():  # a forged 255/255 bow-out advert
        return ip_frame(carp(vhid, advskew=255, advbase=255))

    def spoofed():      # a target's own address as source: "loop"
        return ip_frame(carp(vhid, advskew=0), src=random.choice(targets))

    return {
        "short": short, "ethertype": ethertype, "ip-header": ip_header,
        "ip-checksum": ip_checksum, "fragment": fragment,
        "protocol": protocol, "ttl": ttl, "length": length,
        "oversized": oversized, "carp-checksum": carp_checksum,
        "version": version, "type": typ, "authlen": authlen,
        "unknown-vhid": unknown_vhid, "destination": destination,
        "ip-options": ip_options, "hmac": forged,
        "hmac-bowout": forged_bowout, "loop": spoofed,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iface", default="eth0")
    ap.add_argument("--vhid", type=int, required=True)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--duration", type=float, default=5.0)
    ap.add_argument("--target", action="append", default=[],
                    help="an address of a carpd host (192.0.2.x)")
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()
    if a.count > 100000 or a.duration > 60:
        sys.exit("hostile.py: refusing more than 100000 frames or 60 s")
    for t in a.target:
        if not t.startswith(LAN):
            sys.exit("hostile.py: targets must be in 192.0.2.0/24")
    random.seed(a.seed)
    global SMAC
    with open("/sys/class/net/%s/address" % a.iface) as f:
        SMAC = f.read().strip()
    table = kinds(a.vhid, a.target or [LAN + "1"])
    names = list(table)
    sent = dict.fromkeys(names, 0)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    # Build first, send paced: about a.count frames spread evenly.
    frames = []
    for i in range(a.count):
        k = names[i % len(names)]
        frames.append((k, table[k]()))
    random.shuffle(frames)
    start = time.monotonic()
    step = a.duration / max(a.count, 1)
    for i, (k, f) in enumerate(frames):
        due = start + i * step
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        try:
            s.send(f)
            sent[k] += 1
        except OSError as e:
            print("send %s: %s" % (k, e), file=sys.stderr)
    took = time.monotonic() - start
    for k in names:
        print("sent %s %d" % (k, sent[k]))
    print("sent total %d in %.2f s" % (sum(sent.values()), took))


if __name__ == "__main__":
    main()
