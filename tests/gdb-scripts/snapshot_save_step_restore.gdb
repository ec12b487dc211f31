# In-memory snapshots: save, then 1000 stepi and writes from gdb (general, x87 and SSE
# registers, memory), then restore: every register gdb sees and the guest's data and stack are
# as they were at the save; twice from the same snapshot; list, delete and an unknown name; and
# the restored guest runs on to its normal end (its sum comes out right).
# guest: build/guest/loop64.img
# symbols: build/guest/loop64.img
# status: 1
# console: ^loop64 OK$
source gdb/kvmstub.py
break long_walk
continue
delete
python
def state():
    regs = gdb.execute("info all-registers", to_string=True)
    inf = gdb.selected_inferior()
    data = bytes(inf.read_memory(int(gdb.parse_and_eval("(long)&counter")), 4096))
    stack = bytes(inf.read_memory(int(gdb.parse_and_eval("(long)&stack")), 8192))
    return regs, data, stack

def differences(a, b):
    if a[0] != b[0]:
        for x, y in zip(a[0].splitlines(), b[0].splitlines()):
            if x != y:
                print("register differs: %s / %s" % (x, y))
    return [i for i in range(3) if a[i] != b[i]]
end
kvmstub snapshot save before_walk
python
saved = state()
for i in range(1000):
    gdb.execute("stepi", to_string=True)
gdb.execute("set $rbx = 0x1234")
gdb.execute("set $st0 = 2.5")
gdb.execute("set $xmm3.v2_int64[1] = 0x5555aaaa")
gdb.execute("set $mxcsr = 0x1f00")
gdb.execute("set *(long *)&counter = 77")
gdb.execute("set *(long *)&stack = 99")
print("after 1000 steps and writes, the state differs: %s" % (state() != saved))
end
kvmstub snapshot restore before_walk
python
print("first restore: differences %s" % differences(saved, state()))
for i in range(10):
    gdb.execute("stepi", to_string=True)
gdb.execute("set $xmm3.v2_int64[1] = 7")
gdb.execute("kvmstub snapshot restore before_walk", to_string=True)
print("second restore: differences %s" % differences(saved, state()))
end
kvmstub snapshot list
monitor snapshot restore no_such_snapshot
kvmstub snapshot save second
kvmstub snapshot delete second
kvmstub snapshot list
continue
