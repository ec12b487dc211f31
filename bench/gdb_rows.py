# bench/gdb_rows.py — the rows real gdb drives (issue 12: what a debugging user feels), run
# inside gdb against one stub: `gdb -batch -nx -x bench/gdb_rows.py` with the environment
# bench/gdb_rows.sh sets. Times are gdb's own commands as a user types them, taken with
# Python's clock around gdb.execute(); every repetition is checked (where the guest stopped,
# what it computed) before its time counts.
#
#   BENCH_GDB_TARGET   what `target remote` gets (HOST:PORT or a unix socket's path)
#   BENCH_GDB_PID, BENCH_GDB_LOG   the stub's process and its log (to stop waiting for it)
#   BENCH_GDB_STUB     kvmstub or qemu (QEMU's breakpoints are set as hbreak: its INT3s
#                      kill the guest on some hosts, README's table)
#   BENCH_GDB_SYMS     `nm` of build/guest/bench.img
#   BENCH_GDB_SELF_LOG where gdb's own output goes (dprintf's lines are counted there)
#   BENCH_GDB_OUT      the file the results are appended to: "ROW KEY VALUE" or
#                      "FAIL KEY REASON", one a line
#   BENCH_GDB_ROWS     all, transport (only the per-packet rows, for the unix socket run), or
#                      a comma-separated list of row keys (next50,step100,cond,...)
#   BENCH_GDB_REPS     repetitions of each row (median reported), default 5
#   BENCH_GDB_HITS     the hot loop's length for the condition and dprintf rows (10000)
#   BENCH_GDB_TOUCHES  the watched-page loop's length (100000)
#   BENCH_GDB_LIMIT    seconds one command may take before it is interrupted (120)
import os
import signal
import statistics
import threading
import time

import gdb

env = os.environ
STUB = env["BENCH_GDB_STUB"]
REPS = int(env.get("BENCH_GDB_REPS", "5"))
HITS = int(env.get("BENCH_GDB_HITS", "10000"))
TOUCHES = int(env.get("BENCH_GDB_TOUCHES", "100000"))
LIMIT = float(env.get("BENCH_GDB_LIMIT", "120"))
FIND_START = 0x100000
FIND_LEN = 64 << 20  # below the 128 MiB both stubs are given
FIND_PATTERN = "0xfedcba9876543210"  # nowhere in the guest: the whole range is searched
STEPIS = 200


class RowFailed(Exception):
    pass


def symbols():
    syms = {}
    with open(env["BENCH_GDB_SYMS"]) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                syms[parts[2]] = int(parts[0], 16)
    return syms


SYM = symbols()
out = open(env["BENCH_GDB_OUT"], "a")


def emit(kind, key, text):
    out.write("%s %s %s\n" % (kind, key, text))
    out.flush()


class Watchdog:
    """A command that runs the guest longer than LIMIT is interrupted (as Ctrl-C would), and
    fails its row; a second Ctrl-C 10 s later makes gdb give up on a stub that does not answer
    the first. Armed before the clock starts: starting its thread is not part of what is
    measured."""

    def __enter__(self):
        self.fired = False
        self.timers = [threading.Timer(LIMIT + grace, self.interrupt) for grace in (0, 10)]
        for t in self.timers:
            t.start()
        return self

    def interrupt(self):
        self.fired = True
        os.kill(os.getpid(), signal.SIGINT)

    def __exit__(self, kind, value, tb):
        for t in self.timers:
            t.cancel()
        if self.fired:
            raise RowFailed("did not stop within %g s (interrupted)" % LIMIT)
        return False


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & 0xFFFFFFFF


def start_at(label, **regs):
    for name, value in regs.items():
        gdb.execute("set var $%s = %d" % (name, value))
    gdb.execute("set var $pc = %d" % SYM[label])


def expect_pc(label, what):
    pc = reg("pc")
    if pc != SYM[label]:
        raise RowFailed("%s: stopped at %#x, not at %s (%#x)" % (what, pc, label, SYM[label]))


def timed(cmd):
    with Watchdog():
        t0 = time.perf_counter()
        text = gdb.execute(cmd, to_string=True)
        return time.perf_counter() - t0, text


def stop_break(label, cond=None):
    """A breakpoint: kvmstub picks its own mechanism; QEMU's is a debug register (its INT3s
    are not usable on every host). gdb hands a condition to a stub that takes them."""
    kind = "hbreak" if STUB == "qemu" else "break"
    text = "%s *%d" % (kind, SYM[label])
    if cond:
        text += " if " + cond
    gdb.execute(text, to_string=True)


def delete_all():
    gdb.execute("delete", to_string=True)


def last_line(path):
    try:
        with open(path) as f:
            lines = [line.strip() for line in f if line.strip()]
        return "%s (%s)" % (lines[-1] if lines else "no output", path)
    except (OSError, TypeError):
        return "no log"


def stub_ended():
    """True once the stub's process (BENCH_GDB_PID) has ended: no use waiting for it."""
    try:
        with open("/proc/%s/stat" % env["BENCH_GDB_PID"]) as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, KeyError, IndexError):
        return "BENCH_GDB_PID" in env


def attach():
    """Both stubs run the guest from the start; connecting stops it. Until it spins at its
    ready point, detach (it runs on) and connect again."""
    deadline = time.monotonic() + LIMIT
    while True:
        try:
            gdb.execute("target remote " + env["BENCH_GDB_TARGET"], to_string=True)
        except gdb.error as e:
            not_yet = "refused" in str(e) or "No such file" in str(e)  # not listening yet
            if stub_ended():
                raise RowFailed("the stub ended before gdb could connect: %s" % last_line(env.get("BENCH_GDB_LOG")))
            if not not_yet or time.monotonic() > deadline:
                raise RowFailed("could not connect: %s" % e)
            time.sleep(0.1)
            continue
        pc = reg("pc")
        if SYM["bench_spin"] <= pc < SYM["bench_spin_end"]:
            return
        if time.monotonic() > deadline:
            raise RowFailed("the guest never reached bench_spin (pc %#x)" % pc)
        gdb.execute("detach", to_string=True)
        time.sleep(0.2)


def row_next50():
    times = []
    for _ in range(REPS):
        start_at("bench_line", eax=0)
        t, _ = timed("next")
        expect_pc("bench_line_next", "next")
        if reg("eax") != 50:
            raise RowFailed("next: eax is %d after the line, not 50" % reg("eax"))
        times.append(t * 1e3)
    return times


def row_step100():
    times = []
    for _ in range(REPS):
        start_at("bench_body", eax=0, ebx=0, edx=0)
        t, _ = timed("step 100")
        # 100 lines of a 4-line loop: 25 turns, back at its first line.
        expect_pc("bench_body", "step 100")
        if (reg("eax"), reg("ebx"), reg("edx")) != (125, 125, 125):
            raise RowFailed("step 100: registers %d %d %d, not 125 each" % (reg("eax"), reg("ebx"), reg("edx")))
        times.append(t * 1e3)
    return times


def row_condition():
    times = []
    for _ in range(REPS):
        delete_all()
        stop_break("bench_count", "$ecx == 1")
        start_at("bench_count_entry", ecx=HITS)
        t, _ = timed("continue")
        expect_pc("bench_count", "condition")
        if reg("ecx") != 1:
            raise RowFailed("condition: stopped with ecx %d, not 1" % reg("ecx"))
        times.append(t * 1e3)
    delete_all()
    return times


def printed(since):
    """gdb's own output from offset since of its log (BENCH_GDB_SELF_LOG), and where it ends:
    the stub's dprintf output reaches gdb as console output, which gdb prints there."""
    gdb.flush()
    try:
        with open(env["BENCH_GDB_SELF_LOG"], errors="replace") as f:
            f.seek(since)
            text = f.read()
            return text, since + len(text.encode(errors="replace"))
    except (OSError, KeyError):
        return "", since


def row_dprintf():
    rates = []
    gdb.execute("set dprintf-style agent")
    for rep in range(REPS):
        delete_all()
        tag = "bench-dprintf-%d " % rep  # this repetition's lines alone are counted
        gdb.execute('dprintf *%d,"%s%%u\\n",$ecx' % (SYM["bench_count"], tag), to_string=True)
        stop_break("bench_count_done")
        start_at("bench_count_entry", ecx=HITS)
        _, since = printed(0)
        t, text = timed("continue")
        expect_pc("bench_count_done", "dprintf")
        later, _ = printed(since)
        lines = (text + later).count(tag)
        if lines != HITS:
            raise RowFailed("dprintf: %d lines printed, not %d" % (lines, HITS))
        rates.append(HITS / t)
    delete_all()
    return rates


def row_find():
    times = []
    for _ in range(REPS):
        t, text = timed("find /g %d, +%d, %s" % (FIND_START, FIND_LEN, FIND_PATTERN))
        if "not found" not in text:
            raise RowFailed("find: %s" % text.strip())
        times.append(t * 1e3)
    return times


def touch_loop(watch):
    times = []
    for _ in range(REPS):
        delete_all()
        if watch:
            gdb.execute("watch *(int *)%d" % SYM["bench_watched"], to_string=True)
        stop_break("bench_count_done")
        before = int(gdb.parse_and_eval("*(unsigned int *)%d" % SYM["bench_touch"]))
        start_at("bench_count_entry", ecx=TOUCHES)
        t, _ = timed("continue")
        expect_pc("bench_count_done", "watched-page loop")
        after = int(gdb.parse_and_eval("*(unsigned int *)%d" % SYM["bench_touch"]))
        if (after - before) & 0xFFFFFFFF != TOUCHES:
            raise RowFailed("watched-page loop: %d writes, not %d" % (after - before, TOUCHES))
        times.append(t * 1e3)
    delete_all()
    return times


def row_stepi():
    times = []
    for _ in range(REPS):
        start_at("bench_line")
        t, _ = timed("stepi %d" % STEPIS)
        # The line's 50 three-byte adds and its jmp back: 51 instructions a turn.
        want = SYM["bench_line"] + 3 * (STEPIS % 51)
        if reg("pc") != want:
            raise RowFailed("stepi %d: pc %#x, not %#x" % (STEPIS, reg("pc"), want))
        times.append(t * 1e6 / STEPIS)
    return times


def row_regs():
    times = []
    for _ in range(REPS):
        t0 = time.perf_counter()
        for _ in range(STEPIS):
            gdb.execute("maintenance flush register-cache", to_string=True)
            gdb.parse_and_eval("$eax")
        times.append((time.perf_counter() - t0) * 1e6 / STEPIS)
    return times


def attached():
    """gdb still has the stub's target (a dead stub leaves gdb with the image file alone,
    where `find` would search the file and \"succeed\")."""
    return bool(gdb.selected_inferior().threads())


def report(key, fn):
    if not attached():
        why = "gdb lost the stub"
        if stub_ended():
            why += "; the stub ended: %s" % last_line(env.get("BENCH_GDB_LOG"))
        emit("FAIL", key, why)
        return
    try:
        values = fn()
        emit("ROW", key, " ".join("%.6g" % v for v in values))
    except (RowFailed, gdb.error, KeyboardInterrupt) as e:
        why = str(e) if not isinstance(e, KeyboardInterrupt) else "interrupted (did not stop within %g s)" % LIMIT
        if stub_ended():
            why += "; the stub ended: %s" % last_line(env.get("BENCH_GDB_LOG"))
        emit("FAIL", key, why.replace("\n", " "))


def main():
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    gdb.execute("set tcp connect-timeout 1")  # attach() waits for the stub itself
    if STUB == "qemu":
        # QEMU's x86_64 target always sends the 64-bit layout; gdb takes it only so told
        # (as every user of a 32-bit kernel on QEMU does). eax and the others are still there.
        gdb.execute("set architecture i386:x86-64")
    try:
        attach()
    except (RowFailed, gdb.error) as e:
        emit("FAIL", "attach", str(e).replace("\n", " "))
        return
    rows = [
        ("next50", row_next50),
        ("step100", row_step100),
        ("cond", row_condition),
        ("dprintf", row_dprintf),
        ("find", row_find),
        ("loop", lambda: touch_loop(False)),
        ("loopw", lambda: touch_loop(True)),
        ("stepi", row_stepi),
        ("regs", row_regs),
    ]
    which = env.get("BENCH_GDB_ROWS", "all")
    wanted = {"all": None, "transport": ["stepi", "regs"]}.get(which, which.split(","))
    for key, fn in rows:
        if wanted is None or key in wanted:
            report(key, fn)
    gdb.execute("kill", to_string=True)


main()
