#!/usr/bin/env python3
"""Check every CARP advert of a capture against doc/protocol.md.

Python's standard library only: the pcap file, the frames, the checksum
and the HMAC are all computed here, independently of carpd's codec.

    carp_wire.py --pcap FILE --pass PASSWORD --vhid N --addr A [--addr B ...]
                 [--src ADDR ...] [--family inet6|inet|both]

For each advert of the vhid (IPv4 or IPv6, protocol 112): the Ethernet
and IP destinations of the family's group, TTL/hop limit 255, no IPv6
extension header, a 36-byte CARP header whose checksum (over those 36
bytes only) is right, version 2 type 1 authlen 7, and an HMAC-SHA1 over
version, type, vhid, the IPv4 addresses sorted, the IPv6 addresses sorted
(link-local ones with bytes 2-3 zeroed) and the counter.  With --src, the
IP source must be one of those.  Prints "ok: N IPv4, M IPv6 adverts" or
the first fault, and exits 1 on a fault.
"""
import argparse
import hashlib
import hmac
import ipaddress
import struct
import sys

GROUP4 = ipaddress.ip_address("224.0.0.18").packed
GROUP6 = ipaddress.ip_address("ff02::12").packed


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data)[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        end = "<"
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        end = ">"
    else:
        raise SystemExit("not a pcap file: %s" % path)
    linktype = struct.unpack_from(end + "I", data, 20)[0]
    if linktype != 1:
        raise SystemExit("not an Ethernet capture (link type %d)" % linktype)
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack_from(end + "IIII", data, off)
        off += 16
        yield data[off:off + incl]
        off += incl


def cksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def hmac_form6(a):
    b = bytearray(a.packed)
    if a.is_link_local:
        b[2] = b[3] = 0
    return bytes(b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--pass", dest="password", required=True)
    ap.add_argument("--vhid", type=int, required=True)
    ap.add_argument("--addr", action="append", required=True)
    ap.add_argument("--src", action="append", default=[])
    ap.add_argument("--family", default="both")
    o = ap.parse_args()

    addrs = [ipaddress.ip_address(a.split("/")[0]) for a in o.addr]
    v4 = sorted({a.packed for a in addrs if a.version == 4})
    v6 = sorted({hmac_form6(a) for a in addrs if a.version == 6})
    key = o.password.encode()
    srcs = {ipaddress.ip_address(s).packed for s in o.src}
    n4 = n6 = 0

    def fault(i, why):
        print("advert %d: %s" % (i, why))
        sys.exit(1)

    for i, f in enumerate(frames(o.pcap)):
        etype = struct.unpack_from("!H", f, 12)[0] if len(f) >= 14 else 0
        if etype == 0x86dd and len(f) >= 54 and f[20] == 112:
            ip, fam = f[14:54], 6
            if f[:6] != b"\x33\x33\x00\x00\x00\x12":
                fault(i, "Ethernet destination %s" % f[:6].hex(":"))
            if ip[0] >> 4 != 6 or ip[24:40] != GROUP6:
                fault(i, "IPv6 destination %s" %
                      ipaddress.ip_address(ip[24:40]))
            if ip[7] != 255:
                fault(i, "hop limit %d" % ip[7])
            if struct.unpack_from("!H", ip, 4)[0] != 36:
                fault(i, "payload length %d" %
                      struct.unpack_from("!H", ip, 4)[0])
            src, c = ip[8:24], f[54:90]
        elif etype == 0x0800 and len(f) >= 34 and f[23] == 112:
            ihl = (f[14] & 0x0f) * 4
            ip, fam = f[14:14 + ihl], 4
            if ip[16:20] != GROUP4 or f[:6] != b"\x01\x00\x5e\x00\x00\x12":
                fault(i, "IPv4 destination")
            if ip[8] != 255:
                fault(i, "TTL %d" % ip[8])
            if cksum(ip) != 0:
                fault(i, "IPv4 header checksum")
            src, c = ip[12:16], f[14 + ihl:14 + ihl + 36]
        else:
            continue
        if len(c) != 36:
            fault(i, "CARP header of %d bytes" % len(c))
        if c[1] != o.vhid:
            continue
        if o.family not in ("both", "inet6" if fam == 6 else "inet"):
            fault(i, "an IPv%d advert" % fam)
        if cksum(c) != 0:
            fault(i, "CARP checksum (over the 36 bytes only)")
        if c[0] != 0x21 or c[3] != 7:
            fault(i, "version/type %#x authlen %d" % (c[0], c[3]))
        if srcs and src not in srcs:
            fault(i, "source %s" % ipaddress.ip_address(src))
        msg = bytes([2, 1, c[1]]) + b"".join(v4) + b"".join(v6) + c[8:16]
        if hmac.new(key, msg, hashlib.sha1).digest() != c[16:36]:
            fault(i, "HMAC")
        if fam == 6:
            n6 += 1
        else:
            n4 += 1
    print("ok: %d IPv4, %d IPv6 adverts" % (n4, n6))


if __name__ == "__main__":
    main()
