#!/usr/bin/python3
"""Send one command line to a carpd control socket and print the reply.

Usage: ctl.py SOCKET COMMAND...   (e.g. ctl.py /tmp/x/a.sock status)
"""
import socket
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip())
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(sys.argv[1])
    s.sendall((" ".join(sys.argv[2:]) + "\n").encode())
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    sys.stdout.write(out.decode(errors="replace"))


if __name__ == "__main__":
    main()
