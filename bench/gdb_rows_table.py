# bench/gdb_rows_table.py — the table of bench/gdb_rows.sh: the raw results gdb_rows.py
# wrote for each stub and transport, as medians side by side, with the targets.
#   python3 bench/gdb_rows_table.py RAW GDB_VERSION HITS TOUCHES REPS
import os
import statistics
import sys

raw, gdb_version, hits, touches, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]


def load(stub, transport):
    rows, fails = {}, {}
    path = "%s.%s.%s" % (raw, stub, transport)
    if not os.path.exists(path):
        return rows, {"*": "not run"}
    with open(path) as f:
        for line in f:
            kind, key, rest = (line.rstrip("\n").split(" ", 2) + [""])[:3]
            if kind == "ROW" and rest.split():
                rows[key] = [float(v) for v in rest.split()]
            elif kind == "ROW":
                fails[key] = "no repetitions"  # BENCH_GDB_REPS=0
            elif kind == "FAIL":
                fails[key] = rest
    return rows, fails


runs = {(s, t): load(s, t) for s in ("kvmstub", "qemu") for t in ("tcp", "unix")}
notes = []


def fmt(v):
    return "%.0f" % v if abs(v) >= 1000 else "%.3g" % v


def cell(stub, transport, key):
    rows, fails = runs[(stub, transport)]
    if key in rows:
        v = rows[key]
        med = statistics.median(v)
        return med, "%s [%s-%s]" % (fmt(med), fmt(min(v)), fmt(max(v)))
    reason = fails.get(key) or fails.get("attach") or fails.get("*") or "no result (log: bench/out/gdb/)"
    if stub == "qemu" and reason == "not run":
        return None, "-"
    what = "%s over %s" % (stub, transport) if key not in fails else "%s over %s, %s" % (stub, transport, key)
    note = "%s: %s" % (what, reason)
    if note not in notes:  # one note for a stub that never connected
        notes.append(note)
    return None, "FAILS (note %d)" % (notes.index(note) + 1)


# (key, transport, label, unit, higher is better)
ROWS = [
    ("next50", "tcp", "`next` over a line of 50 instructions", "ms", False),
    ("step100", "tcp", "`step 100` through a 4-line loop body", "ms", False),
    ("cond", "tcp", "break if (true once in %d hits): to stop" % hits, "ms", False),
    ("dprintf", "tcp", "dprintf in a hot loop", "hits/s", True),
    ("find", "tcp", "`find` of 8 bytes over 64 MiB (a miss)", "ms", False),
    ("loop", "tcp", "a loop of %d writes to one page" % touches, "ms", False),
    ("loopw", "tcp", "  with a watchpoint on another word there", "ms", False),
    ("stepi", "tcp", "gdb `stepi`, TCP", "us/step", False),
    ("stepi", "unix", "gdb `stepi`, unix socket", "us/step", False),
    ("regs", "tcp", "gdb register re-read (`g`), TCP", "us", False),
    ("regs", "unix", "gdb register re-read (`g`), unix socket", "us", False),
]

print()
print("Real gdb driving each stub (%s); each cell: median [min-max] of %s repetitions," % (gdb_version, reps))
print("timed around gdb's own commands; every repetition checked (where it stopped, what the guest computed)")
print()
print("%-46s %-8s %-24s %-24s %s" % ("measurement", "unit", "kvmstub", "QEMU+KVM", "speed-up"))
medians = {}
for key, transport, label, unit, higher in ROWS:
    k, ktext = cell("kvmstub", transport, key)
    q, qtext = cell("qemu", transport, key)
    medians[(key, transport, "kvmstub")] = k
    medians[(key, transport, "qemu")] = q
    speed = "-"
    if k and q:
        speed = "%.3gx" % ((k / q) if higher else (q / k))
    print("%-46s %-8s %-24s %-24s %s" % (label, unit, ktext, qtext, speed))


def ratio(stub):
    a, b = medians[("loopw", "tcp", stub)], medians[("loop", "tcp", stub)]
    return "%.3gx" % (a / b) if a and b else "-"


print("%-46s %-8s %-24s %-24s %s" % ("  the watchpoint's slow-down of that loop", "x", ratio("kvmstub"), ratio("qemu"), "-"))
k = medians[("loopw", "tcp", "kvmstub")]
b = medians[("loop", "tcp", "kvmstub")]
if k and b:
    print("  kvmstub: %.3g us per write to the watched page" % ((k - b) * 1e3 / touches))


def target(label, ok):
    print("  %-60s %s" % (label, "met" if ok else ("MISSED" if ok is False else "not measured")))


def faster(key, at_least):
    k, q = medians[(key, "tcp", "kvmstub")], medians[(key, "tcp", "qemu")]
    return None if not (k and q) else q / k >= at_least


print()
print("Targets (issue 12):")
target("`next` over 50 instructions >= 20x faster than QEMU", faster("next50", 20))
target("the false-condition loop >= 50x faster than QEMU", faster("cond", 50))
f = medians[("find", "tcp", "kvmstub")]
target("`find` over 64 MiB under 1 s", None if f is None else f < 1000)
if notes:
    print()
    print("Notes:")
    for i, n in enumerate(notes, 1):
        print("  %d. %s" % (i, n))
