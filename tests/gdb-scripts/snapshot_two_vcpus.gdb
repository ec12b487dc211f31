# A snapshot of a two-vCPU guest: both CPUs spin; after a save and a second of running, a
# restore puts both counters and both vCPUs' registers back, and the guest then ends normally.
# guest: build/guest/smp64.img
# args: --cpus 2
# symbols: build/guest/smp64.img
# status: 1
# console: ^smp64 OK$
source gdb/kvmstub.py
python
import os, signal, threading
def counters():
    return [int(gdb.parse_and_eval("((long *)&counters)[%d]" % cpu)) for cpu in (0, 1)]
def regs_of(thread):
    gdb.execute("thread %d" % thread, to_string=True)
    text = gdb.execute("info registers", to_string=True)
    gdb.execute("thread 1", to_string=True)
    return text
end
break loop0
continue
python
# CPU 1 may still be starting at CPU 0's first stop (slow hosts): go on until it spins too.
for i in range(50):
    gdb.execute("thread 2", to_string=True)
    in_loop1 = "loop1" in gdb.execute("info symbol $pc", to_string=True)
    gdb.execute("thread 1", to_string=True)
    if in_loop1:
        break
    gdb.execute("continue", to_string=True)
end
delete
kvmstub snapshot save spinning
python
saved = (counters(), regs_of(1), regs_of(2))
threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
gdb.execute("continue")
ran = counters()
print("both CPUs ran after the save: %s" % (ran[0] > saved[0][0] and ran[1] > saved[0][1]))
gdb.execute("kvmstub snapshot restore spinning", to_string=True)
print("counters restored: %s" % (counters() == saved[0]))
print("CPU 0 registers restored: %s" % (regs_of(1) == saved[1]))
print("CPU 1 registers restored: %s" % (regs_of(2) == saved[2]))
end
set *(long *)&release = 1
continue
