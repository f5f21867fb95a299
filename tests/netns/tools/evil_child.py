#!/usr/bin/python3
"""A compromised network process, for the tests/netns/e_*.sh tests.

carpd built with --enable-test-hooks and run with CARPD_TEST_CHILD set to
this file execs it in place of its network process, right after dropping
privileges: it runs as carpd's unprivileged user, with the channel to the
root parent on descriptor 3, and plays one attack (EVIL_ATTACK) against
that parent, speaking the real protocol.  It answers the parent's pings
(unless the attack is to stop answering) and then waits to be killed.

Settings, from the environment: EVIL_ATTACK; EVIL_IF (the interface),
EVIL_VHID, EVIL_VIP (an address of that vhid), EVIL_UP and EVIL_DOWN
(its scripts), EVIL_DIR (a directory for what it wants to tell the test).

All of the wire format is in class Channel: the rest speaks in requests
("run the up script of vhid 7 for 192.0.2.71"), so that a new protocol
changes that class only.
"""
import os
import socket
import struct
import sys
import time

# src/privsep.h, enum ps_type
PS_RUN, PS_RELEASE, PS_RELOAD_BEGIN, PS_RELOAD_VHID, PS_RELOAD_END, \
    PS_STARTED, PS_ACK, PS_PING, PS_PONG, PS_TRACK, PS_TRANSITION, \
    PS_VMAC = range(1, 13)
PS_GEN_FIRST = 1
# include/script.h, include/fsm.h (enum script_kind, carp_state, fsm_reason)
SCRIPT_UP, SCRIPT_DOWN = 1, 2
STATES = ["INIT", "BACKUP", "MASTER"]
REASONS = ["none", "startup", "master-down", "preempt", "master-bowed-out",
           "preferred-master", "forced-backup", "forced-master", "shutdown",
           "link-down", "link-up", "network-process-stopped"]
NOT_IN_LIST = 250       # a state or reason that is in no list


def log(msg):
    sys.stderr.write("evil child: %s\n" % msg)
    sys.stderr.flush()


class Request:
    """What the child asks the parent to run, in the parent's terms."""

    def __init__(self, queue=1, vhid=None, ifname=None, up=True,
                 address=None, state=None, reason="master-down",
                 label=None, script=None, extra_args=(), extra_env=(),
                 prefix=None, pad=0, gen=PS_GEN_FIRST):
        env = os.environ
        self.queue = queue
        self.vhid = int(env["EVIL_VHID"]) if vhid is None else vhid
        self.ifname = env["EVIL_IF"] if ifname is None else ifname
        self.up = up
        self.address = env["EVIL_VIP"] if address is None else address
        self.state = state if state is not None else (
            "MASTER" if up else "BACKUP")
        self.reason = reason
        self.label = label if label is not None else "vhid %d %s %s" % (
            self.vhid, "up" if up else "down", self.address)
        # Attacks the old protocol allowed: a path, arguments and
        # environment of the child's choosing.
        self.script = script
        self.extra_args = list(extra_args)
        self.extra_env = list(extra_env)
        self.prefix = prefix
        self.pad = pad          # bytes of padding: an oversized request
        self.gen = gen


class Channel:
    """The privsep channel: SOCK_SEQPACKET, one message per datagram,
    native-endian integers, strings as a 32-bit length (with the NUL)
    and the bytes.  A run request is structured (src/privsep.c,
    ps_msg_encode): generation, queue, vhid, script kind, state, reason,
    address, interface; the parent builds the command itself."""

    def __init__(self, fd=3):
        self.sock = socket.socket(fileno=fd)
        self.sent = 0

    @staticmethod
    def _u32(v):
        return struct.pack("=I", v)

    @staticmethod
    def _u8(v):
        return struct.pack("=B", v)

    @classmethod
    def _str(cls, s):
        if s is None:
            return cls._u32(0)
        b = s.encode() if isinstance(s, str) else s
        return cls._u32(len(b) + 1) + b + b"\0"

    def send(self, data):
        self.sock.settimeout(None)
        self.sock.send(data)
        self.sent += 1

    def started(self):
        self.send(self._u32(PS_STARTED))

    def release(self, queue):
        self.send(self._u32(PS_RELEASE) + self._u32(queue))

    @staticmethod
    def _index(names, v):
        if isinstance(v, int):
            return v
        return names.index(v) if v in names else NOT_IN_LIST

    def encode_run(self, r):
        # What the old protocol let a child choose has no field now: a
        # script path becomes a script kind that does not exist, extra
        # arguments and environment become bytes past the end (a
        # malformed message), a prefix cannot be said at all.
        kind = SCRIPT_UP if r.up else SCRIPT_DOWN
        if r.script is not None:
            kind = 3
        msg = self._u32(PS_RUN) + self._u32(r.gen) + self._u32(r.queue)
        msg += self._u8(r.vhid & 0xff) + self._u8(kind)
        msg += self._u8(self._index(STATES, r.state))
        msg += self._u8(self._index(REASONS, r.reason))
        # The address: 4 and an IPv4 one, or 6 and an IPv6 one.
        if ":" in r.address:
            msg += self._u8(6) + socket.inet_pton(socket.AF_INET6, r.address)
        else:
            msg += self._u8(4) + socket.inet_aton(r.address)
        msg += self._str(r.ifname)
        for x in r.extra_args + r.extra_env:
            msg += self._str(x)
        if r.pad:
            msg += b"x" * (r.pad - len(msg))
        return msg

    def run(self, r):
        self.send(self.encode_run(r))

    def transition(self, vhid, ifname, state, group, gen=PS_GEN_FIRST):
        """A state change for the notify FIFO: generation, vhid, state,
        interface and group in fixed 16-byte fields."""
        def field(s):
            b = s.encode() if isinstance(s, str) else s
            return b[:15].ljust(16, b"\0")
        self.send(self._u32(PS_TRANSITION) + self._u32(gen) +
                  self._u8(vhid) + self._u8(self._index(STATES, state)) +
                  field(ifname) + field(group))

    def serve(self, answer=True, timeout=None):
        """Answer pings (or not) until the parent goes or timeout
        (0: only what is waiting)."""
        end = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if end is None else end - time.monotonic()
            self.sock.settimeout(None if left is None else max(0.0, left))
            try:
                data = self.sock.recv(1 << 20)
            except (socket.timeout, BlockingIOError):
                return
            if not data:
                log("the parent closed the channel")
                sys.exit(0)
            (kind,) = struct.unpack_from("=I", data)
            if kind == PS_PING and answer:
                self.send(self._u32(PS_PONG) + data[4:8])
            elif kind == PS_RELOAD_END:
                (gen,) = struct.unpack_from("=I", data, 4)
                self.send(self._u32(PS_ACK) + self._u32(gen))


def note(name, text):
    with open(os.path.join(os.environ["EVIL_DIR"], name), "w") as f:
        f.write(text)


# ---- the attacks: each returns whether to keep answering pings ----

def attack_env(ch):
    """Environment of our choosing for a root script."""
    ch.run(Request(extra_env=[
        "CARP_INJECT=$(id >/tmp/evil-env)", "LD_PRELOAD=/tmp/evil.so",
        "CARP_SRCIP=192.0.2.1\nCARP_EVIL=1", "PATH=/tmp/evil"],
        reason="master-down\nCARP_EVIL=1"))
    return True


def attack_args(ch):
    """Arguments of our choosing: an extra one, a forged interface."""
    ch.run(Request(extra_args=["--evil"]))
    ch.run(Request(queue=2, ifname="eth0 -o /etc/passwd"))
    return True


def attack_prefix(ch):
    """A prefix of /1: root would add half of IPv4 as on-link."""
    ch.run(Request(prefix=1))
    return True


def attack_path(ch):
    """A script of our choosing: a shell, run as root."""
    marker = os.path.join(os.environ["EVIL_DIR"], "evil-path")
    ch.run(Request(script="/bin/sh", extra_args=["-c", "id >" + marker]))
    ch.run(Request(queue=2, script=os.environ["EVIL_PAYLOAD"]))
    return True


def attack_vhid(ch):
    """A vhid the configuration does not have."""
    ch.run(Request(vhid=99))
    return True


def attack_addr(ch):
    """An address that is not one of the vhid's."""
    ch.run(Request(address="192.0.2.99"))
    return True


def attack_state(ch):
    """The down script told it is MASTER, the up script told BACKUP."""
    ch.run(Request(up=False, state="MASTER"))
    ch.run(Request(queue=2, up=True, state="BACKUP"))
    return True


def attack_flood(ch):
    """Thousands of requests, half of them of 200 kB: can the parent be
    made to hold them?  The others are well formed, on 8 queues."""
    n = int(os.environ.get("EVIL_COUNT", "4000"))
    for i in range(n):
        big = i % 2 == 1
        try:
            ch.run(Request(queue=1 + i % 8, pad=200 * 1000 if big else 0,
                           label="flood %d" % i))
        except OSError as e:
            log("flood: send %d: %s" % (i, e))
            break
        if i % 20 == 0:
            ch.serve(timeout=0)     # answer pings on the way
    note("flood-sent", "%d\n" % ch.sent)
    return True


def attack_release(ch):
    """Hand over a busy queue, take a new one, again: past the caps."""
    n = int(os.environ.get("EVIL_COUNT", "300"))
    for i in range(n):
        ch.run(Request(queue=1000 + i, label="release %d" % i))
        ch.release(1000 + i)
    note("release-sent", "%d\n" % n)
    return True


def attack_log(ch):
    """A label that writes a log line of its own."""
    ch.run(Request(label="vhid 7 up 192.0.2.71\nFORGED carpd[1]: vhid 7 on "
                   "eth0: MASTER -> BACKUP (forged)\x1b[2J"))
    # The one string of a request (15 bytes at most).
    ch.run(Request(queue=2, ifname="e\nFORGED\x1b[2J"))
    return True


def attack_transition(ch):
    """Lines in root's notify FIFO for what is not configured: another
    vhid, another interface, a configuration never sent, another group,
    an interface name with a terminal escape; then one true line."""
    ifname, vhid = os.environ["EVIL_IF"], int(os.environ["EVIL_VHID"])
    ch.transition(99, ifname, "MASTER", "carp")
    ch.transition(vhid, "lo", "MASTER", "carp")
    ch.transition(vhid, ifname, "MASTER", "carp", gen=77)
    ch.transition(vhid, ifname, "MASTER", "forged")
    ch.transition(vhid, "e\x1b[2J", "MASTER", "carp")
    ch.transition(vhid, ifname, "BACKUP", "carp")
    return True


def attack_silent(ch):
    """Become master of an address, then stop answering (as SIGSTOP)."""
    ch.run(Request())
    return False


def attack_rewrite(ch):
    """Rewrite the up script (someone made it 0777) and have root run it."""
    marker = os.path.join(os.environ["EVIL_DIR"], "evil-rewrite")
    path = os.environ["EVIL_UP"]
    deadline = time.monotonic() + 10
    while not os.access(path, os.W_OK) and time.monotonic() < deadline:
        ch.serve(timeout=0.1)
    try:
        with open(path, "w") as f:
            f.write("#!/bin/sh\nid >%s\n" % marker)
        log("rewrote %s" % path)
    except OSError as e:
        log("cannot rewrite %s: %s" % (path, e))
    ch.run(Request())
    return True


def main():
    attack = os.environ.get("EVIL_ATTACK", "")
    fn = globals().get("attack_" + attack)
    if fn is None:
        log("no attack %r" % attack)
        return 2
    ch = Channel()
    ch.started()
    log("uid %d, attack %s" % (os.getuid(), attack))
    answer = fn(ch)
    note("done", "%s %d\n" % (attack, ch.sent))
    log("attack %s sent %d messages" % (attack, ch.sent))
    ch.serve(answer=answer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
