#!/usr/bin/python3
"""A TCP stream that reports its gaps and resets (tests/netns/w_conntrack.sh).

  tcp_stream.py recv PORT STATE
      listen on PORT, take one connection, read until EOF or an error;
      STATE is rewritten (atomically) at most every 20 ms and at the end
      with one line:
          bytes=N last_rx=T max_gap=S gap_end=T end=running|eof|reset|error
      T are CLOCK_REALTIME seconds; max_gap is the longest time between
      two reads that got data, gap_end when that gap ended.
  tcp_stream.py send HOST PORT STATE
      connect, then write 1000 bytes every 10 ms until SIGTERM (then
      close the connection) or an error; STATE as for recv, with
      bytes=N written and end=running|closed|reset|error.

Standard library only.
"""
import os
import signal
import socket
import sys
import time

CHUNK = 1000
PERIOD = 0.01


class State:
    def __init__(self, path):
        self.path = path
        self.bytes = 0
        self.last = None
        self.max_gap = 0.0
        self.gap_end = 0.0
        self.end = "running"
        self.written = 0.0

    def data(self, n):
        now = time.time()
        if self.last is not None and now - self.last > self.max_gap:
            self.max_gap = now - self.last
            self.gap_end = now
        self.last = now
        self.bytes += n
        self.save()

    def save(self, force=False):
        now = time.time()
        if not force and now - self.written < 0.02:
            return
        self.written = now
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            f.write("bytes=%d last_rx=%.6f max_gap=%.6f gap_end=%.6f end=%s\n"
                    % (self.bytes, self.last or 0.0, self.max_gap,
                       self.gap_end, self.end))
        os.replace(tmp, self.path)


def recv(port, path):
    st = State(path)
    st.save(True)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(1)
    c, _ = ls.accept()
    ls.close()
    try:
        while True:
            b = c.recv(65536)
            if not b:
                st.end = "eof"
                break
            st.data(len(b))
    except ConnectionResetError:
        st.end = "reset"
    except OSError as e:
        st.end = "error:%s" % e.errno
    st.save(True)


class Stop(Exception):
    pass


def on_term(*_):
    raise Stop()


def send(host, port, path):
    st = State(path)
    signal.signal(signal.SIGTERM, on_term)
    st.save(True)
    s = socket.create_connection((host, port), timeout=10)
    s.settimeout(None)
    buf = b"x" * CHUNK
    nxt = time.monotonic()
    try:
        while True:
            s.sendall(buf)
            st.data(CHUNK)
            nxt += PERIOD
            d = nxt - time.monotonic()
            if d > 0:
                time.sleep(d)
            else:
                nxt = time.monotonic()
    except Stop:
        # A clean close; unsent data (a blocked send) is dropped.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        s.close()
        st.end = "closed"
    except (ConnectionResetError, BrokenPipeError):
        st.end = "reset"
    except OSError as e:
        st.end = "error:%s" % e.errno
    st.save(True)


def main():
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "recv":
        recv(int(a[1]), a[2])
    elif len(a) == 4 and a[0] == "send":
        send(a[1], int(a[2]), a[3])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
