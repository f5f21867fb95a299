#!/usr/bin/python3
"""Send CARP adverts from many forged senders (Python's standard library).

    forge_senders.py IFACE VHID COUNT FIRST_ADDR

COUNT IPv4 adverts of VHID to 224.0.0.18, TTL 255, right IP and CARP
checksums, from COUNT different addresses starting at FIRST_ADDR, each
from its own MAC address (02:66:xx:xx:xx:xx), with a digest nobody's key
gives: each a new sender that the receiver drops for its HMAC.
"""
import ipaddress
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from carp_wire import cksum  # noqa: E402


def advert(vhid):
    h = bytearray(struct.pack("!BBBBBBH", 0x21, vhid, 0, 7, 0, 1, 0))
    h += struct.pack("!Q", int.from_bytes(os.urandom(8), "big"))
    h += os.urandom(20)
    struct.pack_into("!H", h, 6, cksum(bytes(h)))
    return bytes(h)


def frame(i, vhid, src):
    payload = advert(vhid)
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0x10,
                               20 + len(payload), i & 0xffff, 0, 255, 112, 0,
                               src.packed,
                               ipaddress.ip_address("224.0.0.18").packed))
    struct.pack_into("!H", ip, 10, cksum(bytes(ip)))
    mac = b"\x02\x66" + struct.pack("!I", i + 1)
    eth = b"\x01\x00\x5e\x00\x00\x12" + mac + b"\x08\x00"
    return eth + bytes(ip) + payload


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip())
    iface, vhid, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    first = ipaddress.ip_address(sys.argv[4])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for i in range(count):
        s.send(frame(i, vhid, first + i))
    print("sent %d adverts from %s to %s" % (count, first, first + count - 1))


main()
