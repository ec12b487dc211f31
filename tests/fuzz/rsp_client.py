#!/usr/bin/env python3
"""tests/fuzz/rsp_client.py — hostile GDB remote protocol clients for kvmstub's fault tests
(tests/suite_faults.sh), and the recorder that made the session fuzz corpus.

  rsp_client.py bytewise PORT          the same packets sent whole and one byte per send():
                                       the replies must be identical
  rsp_client.py noread PORT KIND       connect and send requests without ever reading: KIND is
                                       'small' (tiny replies: kvmstub must stop reading us and
                                       stay responsive), 'big' (256 KiB replies: kvmstub must
                                       drop us), or 'running' (continue first, then flood)
  rsp_client.py nakflood PORT COUNT    read one 256 KiB reply, then send COUNT NAKs (each asks
                                       for it again) and read nothing more
  rsp_client.py probe PORT             connect and ask '?': kvmstub answers (or refuses) at once
  rsp_client.py flood PORT [COUNT] [SEED]
                                       COUNT (10000) random and malformed packets in lock step,
                                       then check that '?', 'g' and memory read the same as
                                       before, then continue the guest to its end
  rsp_client.py record LISTEN_PORT TARGET_PORT OUT
                                       a proxy between gdb and kvmstub that writes the bytes gdb
                                       sends to OUT (with `tests/fuzz/corpus/session` headers)

Every command prints what it checks and exits 0 when the checks pass, 1 otherwise.
"""
import hashlib
import random
import select
import socket
import sys
import time

TIMEOUT = 30.0  # seconds to wait for any one reply
SPECIAL = b"$#}*"


def checksum(data):
    return sum(data) & 0xFF


def escape(payload):
    out = bytearray()
    for b in payload:
        if b in SPECIAL:
            out += bytes([ord("}"), b ^ 0x20])
        else:
            out.append(b)
    return bytes(out)


def frame(payload, escaped=True):
    body = escape(payload) if escaped else payload
    return b"$" + body + b"#%02x" % checksum(body)


def hexs(text):
    return text.encode().hex().encode()


class Fail(Exception):
    pass


class Rsp:
    """A connection to kvmstub's GDB stub, reading replies with a deadline."""

    def __init__(self, port, host="127.0.0.1"):
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.ack_mode = True

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise Fail("no reply within %.0f s (have %r)" % (TIMEOUT, bytes(self.buf[:80])))
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(1 << 20)
        except socket.timeout:
            raise Fail("no reply within %.0f s (have %r)" % (TIMEOUT, bytes(self.buf[:80])))
        if not chunk:
            raise Fail("kvmstub closed the connection (have %r)" % bytes(self.buf[:80]))
        self.buf += chunk

    def read_bytes(self, n):
        deadline = time.monotonic() + TIMEOUT
        while len(self.buf) < n:
            self._fill(deadline)
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    def read_packet(self):
        """(bytes before the '$', raw packet, unescaped payload); the checksum is verified."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            start = self.buf.find(b"$")
            if start >= 0:
                end = self.buf.find(b"#", start)
                if end >= 0 and len(self.buf) >= end + 3:
                    break
            self._fill(deadline)
        prefix = bytes(self.buf[:start])
        raw = bytes(self.buf[start : end + 3])
        del self.buf[: end + 3]
        body = raw[1:-3]
        if b"%02x" % checksum(body) != raw[-2:].lower():
            raise Fail("reply with a wrong checksum: %r" % raw[:80])
        payload, i = bytearray(), 0
        while i < len(body):
            if body[i] == ord("}"):
                i += 1
                payload.append(body[i] ^ 0x20)
            else:
                payload.append(body[i])
            i += 1
        if self.ack_mode:
            self.send(b"+")
        return prefix, raw, bytes(payload)

    def expect_prefix(self, prefix, want, what):
        if prefix != want:
            raise Fail("%s: expected %r before the reply, got %r" % (what, want, prefix[:80]))

    def cmd(self, payload, what=None):
        """Send one packet; return the reply's payload (after any 'O' console packets)."""
        self.send(frame(payload))
        first = True
        while True:
            prefix, _, reply = self.read_packet()
            self.expect_prefix(prefix, b"+" if first and self.ack_mode else b"", what or payload[:40])
            first = False
            if not is_console_output(reply):
                return reply

    def no_ack(self):
        if self.cmd(b"QStartNoAckMode") != b"OK":
            raise Fail("QStartNoAckMode refused")
        self.ack_mode = False


def is_console_output(reply):
    """An 'O' packet: O followed by hex digits ("OK" is not one)."""
    if len(reply) < 3 or reply[:1] != b"O" or len(reply) % 2 != 1:
        return False
    try:
        bytes.fromhex(reply[1:].decode())
        return True
    except ValueError:
        return False


def say(*args):
    print(*args, flush=True)


# ---- bytewise -------------------------------------------------------------------------------

def unread_by_peer(sock):
    """Bytes we sent that kvmstub has not read yet: the receive queue of its end of the
    connection, from /proc/net/tcp. None when that is not visible here."""
    ours = sock.getsockname()[1]
    theirs = sock.getpeername()[1]
    try:
        with open("/proc/net/tcp") as f:
            lines = f.readlines()[1:]
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        local, remote, queues = fields[1], fields[2], fields[4]
        if int(local.split(":")[1], 16) == theirs and int(remote.split(":")[1], 16) == ours:
            return int(queues.split(":")[1], 16)
    return None


def send_a_byte_at_a_time(c, data):
    """Each byte alone, and the next only once kvmstub has read the previous one: it sees the
    packet a byte per read. Returns how many bytes it demonstrably read alone."""
    alone = 0
    for b in data:
        c.send(bytes([b]))
        deadline = time.monotonic() + TIMEOUT
        while True:
            left = unread_by_peer(c.sock)
            if left is None:
                break
            if left == 0:
                alone += 1
                break
            if time.monotonic() > deadline:
                raise Fail("kvmstub did not read a byte for %.0f s" % TIMEOUT)
            time.sleep(0.0005)
    return alone


def cmd_bytewise(port):
    """Each request whole, then one byte per send(): the replies must be identical."""
    requests = [
        b"qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;xmlRegisters=i386",
        b"?",
        b"g",
        b"qXfer:features:read:target.xml:0,ffb",
        b"m100000,40",
        b"x100000,40",
        b"p10",
        b"qfThreadInfo",
        b"qRcmd," + hexs("help"),
        b"mffffffffffffff00,100",
    ]
    c = Rsp(port)
    whole = []
    for r in requests:
        whole.append(c.cmd(r))
    say("qSupported: %s" % whole[0].decode(errors="replace"))
    if b"PacketSize=" not in whole[0]:
        raise Fail("qSupported reply lacks PacketSize")
    # Interleave protocol bytes gdb also sends one at a time: an ack and Ctrl-C while stopped
    # (ignored), then each request a byte per segment.
    alone = total = 0
    for r, want in zip(requests, whole):
        data = b"+\x03" + frame(r)
        alone += send_a_byte_at_a_time(c, data)
        total += len(data)
        got, first = None, True
        while True:
            prefix, _, got = c.read_packet()
            c.expect_prefix(prefix, b"+" if first else b"", r[:40])
            first = False
            if not is_console_output(got):
                break
        if got != want:
            raise Fail("%r sent a byte at a time: %r, sent whole: %r" % (r[:40], got[:60], want[:60]))
        say("same reply byte by byte: %s (%d bytes)" % (r[:40].decode(errors="replace"), len(got)))
    # A NAK sent alone makes kvmstub send its last packet again.
    c.send(b"-")
    prefix, _, again = c.read_packet()
    if prefix != b"" or again != whole[-1]:
        raise Fail("no retransmission after '-': %r %r" % (prefix, again[:60]))
    c.close()
    say("kvmstub read %d of %d bytes alone" % (alone, total))
    if alone < total:
        say("note: /proc/net/tcp does not show kvmstub's socket; delivery was not checked")
    say("bytewise: OK")


# ---- noread ---------------------------------------------------------------------------------

def cmd_noread(port, kind):
    """Send requests and never read a byte. Ends when kvmstub stops taking them for 3 s
    ('stalled') or drops the connection ('dropped'); then waits for SIGTERM, still unread."""
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if kind == "running":
        s.sendall(b"+" + frame(b"vCont;c"))
    request = {"small": frame(b"qC"), "big": frame(b"m100000,20000"), "running": frame(b"g")}[kind]
    batch = request * (65536 // len(request))
    s.setblocking(False)
    sent, outcome = 0, None
    limit = 512 << 20  # kvmstub must push back long before this
    while sent < limit:
        try:
            sent += s.send(batch)
            continue
        except BlockingIOError:
            pass
        except OSError as e:
            outcome = "dropped (%s)" % e.strerror
            break
        _, writable, _ = select.select([], [s], [], 3.0)
        if not writable:
            outcome = "stalled"
            break
    if outcome is None:
        say("noread: kvmstub took %d MiB of requests without pushing back" % (sent >> 20))
        return 1
    say("noread: %s after %d KiB of requests" % (outcome, sent >> 10))
    try:
        time.sleep(600)  # keep the connection open, unread, until the test ends it
    finally:
        s.close()
    return 0


def cmd_nakflood(port, count):
    """Read one 256 KiB reply, then send COUNT NAKs at once and read nothing more: each asks for
    that reply again. Waits until kvmstub has read them all, then until SIGTERM."""
    c = Rsp(port)
    if len(c.cmd(b"m100000,20000")) != 0x40000:
        raise Fail("the 256 KiB read came back short")
    c.send(b"-" * count)
    deadline = time.monotonic() + TIMEOUT
    while unread_by_peer(c.sock) not in (0, None):
        if time.monotonic() > deadline:
            raise Fail("kvmstub did not read the NAKs within %.0f s" % TIMEOUT)
        time.sleep(0.01)
    say("nakflood: kvmstub read %d NAKs" % count)
    try:
        time.sleep(600)
    finally:
        c.close()


def cmd_probe(port):
    """Is kvmstub's serve loop going round? A new connection gets an answer: the refusal when
    a debugger is attached, or the stop reply when it becomes the debugger (then it leaves)."""
    c = Rsp(port)
    c.send(frame(b"?"))
    while True:
        prefix, _, reply = c.read_packet()
        if reply:
            break
    c.close()
    say("probe: %s" % ("refused" if b"another debugger" in reply else "attached: %r" % reply[:40]))


# ---- flood ----------------------------------------------------------------------------------

# Address space of the test guest (loop64.img, 16 MiB RAM, long mode, identity-mapped 4 GiB).
RAM_END = 16 << 20
IMAGE = 0x100000
INVALID_WRITE_ADDRS = [
    0x400000000000,          # not canonical-mapped
    0x7FFFFFFFF000,
    0xFFFF800000000000,      # kernel half, no page tables
    0xFFFFFFFFFFFFFFF0,      # wraps past 2^64 with any length > 16
    0x100000000,             # past the 4 GiB identity map
    0x2000000,               # mapped, but beyond RAM
    0xFEC00000,              # in the 32-bit hole
]
READ_ADDRS = INVALID_WRITE_ADDRS + [0, 0x1000, 0x9000, IMAGE, IMAGE + 0x3FF0, RAM_END - 8]
# Monitor commands that only report (state-changing ones only with arguments they refuse).
MONITOR = ["help", "status", "sregs", "translate 100000", "translate ffff800000000000", "phys",
           "paging", "gdt", "idt 4", "cpuid", "cpuid 1", "rdmsr c0000080", "rdmsr 99999999",
           "memmap", "breakpoints", "watch-mode", "phys maybe", "paging bogus", "wrmsr",
           "wrmsr zz", "watch-mode sometimes", "translate", "idt x", "cpuid zz", "",
           "info mem", "info registers", "info registers -a", "info registers x", "info bogus",
           "info"]
UNKNOWN_FIRST = b"ABEFIJKLNORUVWYabdefhijlnortuvwy!_@^~`'\"<>|0123456789"


class Flood:
    def __init__(self, rng, c):
        self.rng = rng
        self.c = c
        self.inserted = []  # (type, addr, kind) accepted by Z, not yet removed
        self.last_raw = None
        self.counts = {}

    def num(self):
        r = self.rng
        choice = r.random()
        if choice < 0.2:
            return "%x" % r.choice(READ_ADDRS)
        if choice < 0.4:
            return "%x" % r.getrandbits(64)
        if choice < 0.5:
            return "1" + "0" * r.randint(16, 30)  # more digits than a uint64_t holds
        if choice < 0.6:
            return r.choice(["", "-1", "zz", "0x10", " 1", "+1", "1,2"])
        return "%x" % r.randint(0, 0x40)

    def bad_hex(self, n):
        """2n characters that are not all hex digits."""
        s = bytearray(self.rng.getrandbits(8) for _ in range(n)).hex()
        if not s:
            return self.rng.choice(["z", "g0", ""])
        i = self.rng.randrange(len(s))
        return s[:i] + self.rng.choice("gxz -;,") + s[i + 1 :]

    def payload(self):
        """A random request that must not run the guest, end it or change its state."""
        r = self.rng
        k = r.randrange(16)
        if k == 0:
            big = r.random() < 0.03
            addr = r.choice(READ_ADDRS) if r.random() < 0.5 else r.getrandbits(64)
            size = r.choice([0xFFFFFFFFFFFFFFFF, 0x20001]) if big else r.randint(0, 0x200)
            if big and r.random() < 0.5:
                addr = IMAGE
            return "%s%x,%x" % (r.choice("mx"), addr, size), "read"
        if k == 1:
            return "%s%s,%s" % (r.choice("mx"), self.num(), self.num()), "read"
        if k == 2:  # M/X writes only where nothing is writable, or malformed
            addr = r.choice(INVALID_WRITE_ADDRS)
            n = r.randint(1, 64)
            if r.random() < 0.5:
                return "M%x,%x:%s" % (addr, n, r.randbytes(n).hex()), "write"
            return ("X%x,%x:" % (addr, n)).encode() + r.randbytes(n), "write"
        if k == 3:
            n = r.randint(1, 16)
            addr = r.choice([IMAGE, 0x9000, 0x1000])
            bad = r.choice(["len", "hex"])
            if bad == "len":
                return "M%x,%x:%s" % (addr, n, r.randbytes(n + 1).hex()[: 2 * n + r.choice([-1, 1, 2])]), "badwrite"
            return "M%x,%x:%s" % (addr, n, self.bad_hex(n)), "badwrite"
        if k == 4:
            return r.choice(["g", "?", "qC", "qfThreadInfo", "qsThreadInfo", "qAttached",
                             "vCont?", "vMustReplyEmpty", "qSymbol::", "qOffsets", "qTStatus"]), "query"
        if k == 5:  # G and P only malformed, p anything
            choice = r.randrange(4)
            if choice == 0:
                return "G" + self.bad_hex(r.randint(0, 700)), "badregs"
            if choice == 1:  # no such register, or not hex
                if r.random() < 0.3:
                    return "P%x=%s" % (r.randint(0x100, 0xFFFFFFFF), r.randbytes(8).hex()), "badregs"
                return "P%s=%s" % (self.num(), self.bad_hex(r.randint(0, 20))), "badregs"
            return "p%s" % self.num(), "regs"
        if k in (6, 7):  # breakpoints and watchpoints of every kind, good and bad
            t = r.choice(["0", "1", "2", "3", "4", "5", "9", "ff", "", "x", "-1"])
            addr = self.num() if r.random() < 0.5 else "%x" % r.choice(READ_ADDRS)
            kind = r.choice(["1", "2", "4", "8", "0", "3", "10", "ffffffffffffffff", self.num()])
            tail = r.choice(["", "", ";X1,0f", ";cmds:0", ";", ",", ";X2,zz"])
            return "%s%s,%s,%s%s" % (r.choice("Zz"), t, addr, kind, tail), "break"
        if k == 8:
            return "H%s%s" % (r.choice("gcxG"), r.choice(["0", "1", "2", "-1", "-2", "ff", "", "z"])), "thread"
        if k == 9:
            return r.choice(["T", "qThreadExtraInfo,"]) + r.choice(["1", "2", "0", "-1", "zz", ""]), "thread"
        if k == 10:
            annex = r.choice(["target.xml", "target.xml", "", "i386-64bit.xml", "../x", "target.xm"])
            return "qXfer:features:read:%s:%s,%s" % (annex, self.num(), self.num()), "xfer"
        if k == 11:
            if r.random() < 0.5:
                return "qRcmd," + r.choice(MONITOR).encode().hex(), "monitor"
            return "qRcmd," + self.bad_hex(r.randint(0, 40)), "monitor"
        if k == 12:
            return r.choice(["vCont;", "vCont;x", "vCont;c:99", "vCont;s:0;zz", "vCont;C",
                             "vCont;Czz", "vCont;c:1;", "vCont;t"]), "badvcont"
        if k == 13:
            return "qSupported:" + ";".join(r.choice(["multiprocess+", "swbreak+", "xmlRegisters=i386",
                                                      "zz", "=", "PacketSize=ffffffff"])
                                            for _ in range(r.randint(0, 6))), "query"
        if k == 14:  # an unknown command, text or binary
            head = bytes([r.choice(UNKNOWN_FIRST)])
            return head + r.randbytes(r.randint(0, 40)), "unknown"
        return bytes([r.randint(0x80, 0xFE)]) + r.randbytes(r.randint(0, 200)), "unknown"

    def exchange(self, payload):
        """Send a well-formed packet, read its one reply; keep what Z/z did."""
        if isinstance(payload, str):
            payload = payload.encode()
        self.c.send(frame(payload))
        first = True
        while True:
            prefix, raw, reply = self.c.read_packet()
            self.c.expect_prefix(prefix, b"+" if first and self.c.ack_mode else b"", payload[:60])
            first = False
            if payload.startswith(b"qRcmd,") and is_console_output(reply):
                continue
            break
        self.last_raw = raw
        if payload[:1] in b"Zz" and reply == b"OK":
            fields = [f.lower().lstrip(b"0") for f in payload[1:].split(b";")[0].split(b",")]
            if fields[0] in (b"", b"1"):
                fields = fields[:2]  # breakpoints are removed by address, whatever the kind
            key = tuple(fields)
            if payload[:1] == b"Z":
                self.inserted.append((payload[1:].split(b";")[0], key))
            else:
                for i, (_, k) in enumerate(self.inserted):
                    if k == key:
                        del self.inserted[i]
                        break
        return reply

    def item(self):
        """One element of the stream and the reply it must get."""
        r = self.rng
        kind = r.random()
        if kind < 0.06:  # bad checksum: NAK, nothing else
            payload = self.payload()[0]
            body = escape(payload.encode() if isinstance(payload, str) else payload)
            good = checksum(body)
            bad = r.choice(["%02x" % ((good + r.randint(1, 255)) & 0xFF), "zz", "g0", "0"])
            if len(bad) == 1:
                bad += "x"
            self.c.send(b"$" + body + b"#" + bad.encode())
            got = self.c.read_bytes(1)
            if got != b"-":
                raise Fail("bad checksum answered with %r, not '-'" % got)
            return "bad checksum"
        if kind < 0.09:  # noise between packets: ignored
            noise = bytes(b for b in r.randbytes(r.randint(1, 64)) if b not in b"$-")
            self.c.send(noise)
            return "noise"
        if kind < 0.11:  # a packet cut short, then a new one: only the second is answered
            payload = self.payload()[0]
            body = escape(payload.encode() if isinstance(payload, str) else payload)
            cut = body[: r.randint(0, len(body))]
            if cut.endswith(b"}"):
                cut = cut[:-1]
            self.c.send(b"$" + cut)
            self.exchange(b"qC")
            return "restart"
        if kind < 0.13 and self.last_raw is not None and self.c.ack_mode:  # NAK: retransmission
            self.c.send(b"-")
            prefix, raw, _ = self.c.read_packet()
            if prefix != b"" or raw != self.last_raw:
                raise Fail("'-' did not retransmit the last packet (%r)" % raw[:60])
            return "nak"
        if kind < 0.135:  # longer than PacketSize: an error reply, then business as usual
            body = b"m" + b"0" * (0x20000 + r.randint(1, 64))
            self.c.send(frame(body, escaped=False))
            prefix, raw, reply = self.c.read_packet()
            self.c.expect_prefix(prefix, b"+" if self.c.ack_mode else b"", "oversized packet")
            if not reply.startswith(b"E"):
                raise Fail("oversized packet answered %r" % reply[:40])
            self.last_raw = raw
            return "oversized"
        payload, what = self.payload()
        reply = self.exchange(payload)
        if what in ("write", "badwrite", "badregs", "badvcont") and not reply.startswith(b"E"):
            raise Fail("%r was accepted: %r" % (payload[:60], reply[:40]))
        return what

    def cleanup(self):
        """Remove what the stream's Z packets inserted."""
        n = len(self.inserted)
        for body, _ in reversed(list(self.inserted)):
            reply = self.exchange(b"z" + body)
            if reply != b"OK":  # the guest's run at the end shows whether one was left
                say("note: z%s after the flood: %r" % (body.decode(errors="replace"), reply))
        self.inserted = []
        return n


def snapshot(c):
    """What must not change: the stop reason, the registers, and guest memory."""
    regions = [(0x1000, 0x1000), (0x9000, 0x6000), (IMAGE - 0x1000, 0x8000)]
    mem = hashlib.sha256()
    for addr, size in regions:
        for off in range(0, size, 0x800):
            data = c.cmd(b"m%x,800" % (addr + off))
            if data.startswith(b"E") or len(data) != 0x1000:
                raise Fail("m%x,800 answered %r" % (addr + off, data[:20]))
            mem.update(data)
    return {"?": c.cmd(b"?"), "g": c.cmd(b"g"), "memory": mem.hexdigest()}


def cmd_flood(port, count, seed):
    rng = random.Random(seed)  # the same stream for the same seed
    c = Rsp(port)
    c.cmd(b"qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386")
    before = snapshot(c)
    say("before: stop %s, memory sha256 %s" % (before["?"][:3].decode(), before["memory"][:16]))
    f = Flood(rng, c)
    start = time.monotonic()
    for i in range(count):
        try:
            if i == count // 2:  # the second half without acknowledgements, as gdb runs
                c.no_ack()
            what = f.item()
        except Fail as e:
            raise Fail("item %d of %d: %s" % (i + 1, count, e))
        f.counts[what] = f.counts.get(what, 0) + 1
    say("sent %d items in %.1f s: %s" % (count, time.monotonic() - start,
                                        ", ".join("%s %d" % kv for kv in sorted(f.counts.items()))))
    say("breakpoints and watchpoints the stream inserted, now removed: %d" % f.cleanup())
    after = snapshot(c)
    for key in ("?", "g", "memory"):
        if after[key] != before[key]:
            raise Fail("%s changed: before %r, after %r" % (key, before[key][:80], after[key][:80]))
    say("after: '?', 'g' and memory are unchanged")
    c.send(frame(b"vCont;c"))
    prefix, _, reply = c.read_packet()
    say("the guest ran to its end: %s" % reply.decode(errors="replace"))
    if reply != b"W01":
        raise Fail("continuing the guest ended with %r, not W01 (loop64 passing)" % reply)
    c.close()
    say("flood: OK")


# ---- record ---------------------------------------------------------------------------------

def cmd_record(listen_port, target_port, out, header):
    """Proxy one gdb connection to kvmstub; OUT gets the header bytes and what gdb sent."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", listen_port))
    srv.listen(1)
    say("record: listening on %d" % srv.getsockname()[1])
    g, _ = srv.accept()
    k = socket.create_connection(("127.0.0.1", target_port))
    sent = bytearray(header)
    open_ = {g: k, k: g}
    while open_:
        ready, _, _ = select.select(list(open_), [], [])
        for s in ready:
            data = s.recv(1 << 16)
            if not data:
                for x in (g, k):
                    open_.pop(x, None)
                break
            if s is g:
                sent += data
            open_[s].sendall(data)
    with open(out, "wb") as f:
        f.write(sent)
    say("record: %d bytes to %s" % (len(sent), out))


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    try:
        cmd, port = argv[1], int(argv[2])
        if cmd == "bytewise":
            cmd_bytewise(port)
        elif cmd == "noread":
            return cmd_noread(port, argv[3])
        elif cmd == "probe":
            cmd_probe(port)
        elif cmd == "nakflood":
            cmd_nakflood(port, int(argv[3]))
        elif cmd == "flood":
            cmd_flood(port, int(argv[3]) if len(argv) > 3 else 10000,
                      int(argv[4]) if len(argv) > 4 else 6)
        elif cmd == "record":
            cmd_record(port, int(argv[3]), argv[4], bytes.fromhex(argv[5]) if len(argv) > 5 else b"")
        else:
            sys.stderr.write(__doc__)
            return 2
    except Fail as e:
        say("FAIL: %s" % e)
        return 1
    except OSError as e:
        say("FAIL: %s" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
