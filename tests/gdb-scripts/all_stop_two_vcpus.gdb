# Two vCPUs spinning: when one stops at a breakpoint the other is stopped too (its counter does
# not move while gdb looks), stepping one with scheduler-locking leaves the other where it is,
# Ctrl-C stops both, and each is a thread gdb can switch to.
# guest: build/guest/smp64.img
# args: --cpus 2
# symbols: build/guest/smp64.img
# status: 1
# console: ^smp64 OK$
python
import os, signal, threading
def counter(cpu):
    return int(gdb.parse_and_eval("((long *)&counters)[%d]" % cpu))
end
break loop0
continue
continue
python
# CPU 0 reaches loop0 first; where CPU 1 is slow to start (the emulated hardware host steps
# exec-trapped code), go on to loop0 again until CPU 1 spins in loop1 too (bounded).
for i in range(50):
    gdb.execute("thread 2", to_string=True)
    in_loop1 = "loop1" in gdb.execute("info symbol $pc", to_string=True)
    gdb.execute("thread 1", to_string=True)
    if in_loop1:
        break
    gdb.execute("continue", to_string=True)
end
delete
info threads
python
c1 = counter(1)
gdb.execute("x/64xb 0x100000", to_string=True)
gdb.execute("thread 2", to_string=True)
gdb.execute("bt", to_string=True)
gdb.execute("thread 1", to_string=True)
print("CPU 1 ran while CPU 0 was stopped: %s" % (counter(1) != c1))
gdb.execute("set scheduler-locking on")
for i in range(20):
    gdb.execute("stepi", to_string=True)
print("CPU 1 ran while CPU 0 was stepped: %s" % (counter(1) != c1))
gdb.execute("set scheduler-locking off")
gdb.execute("thread 2")
for i in range(3):  # the loop is three instructions: one of them is the increment
    gdb.execute("stepi", to_string=True)
print("thread 2 steps CPU 1: %s" % (counter(1) != c1))
gdb.execute("thread 1", to_string=True)
threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
a = (counter(0), counter(1))
gdb.execute("continue")
b = (counter(0), counter(1))
gdb.execute("info threads", to_string=True)
c = (counter(0), counter(1))
print("both CPUs ran until Ctrl-C: %s" % (b[0] > a[0] and b[1] > a[1]))
print("both CPUs stopped after Ctrl-C: %s" % (b == c))
end
set *(long *)&release = 1
continue
