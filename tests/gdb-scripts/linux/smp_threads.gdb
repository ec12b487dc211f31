# Two vCPUs are two gdb threads (PVH vmlinux, --cpus 2): info threads describes each, `thread N`
# + `bt` shows that CPU's stack (its idle loop under start_secondary, or, when the stop caught
# it in an interrupt, the interrupt's entry: gdb's unwinding ends there; seen on PVM in ci58),
# `thread apply all bt` works, all-stop is real (the other CPU
# stays put while one is stepped with scheduler-locking, and after a stop both are stopped),
# and Ctrl-C stops both. It starts from the snapshot fixture (tests/linux/run.sh: the PVH
# vmlinux with --cpus 2 and the initramfs, stopped when the kernel printed its banner), not
# from a boot: gdb is there at once, CPU 1 still waiting for its start-up IPI.
# args: --restore $KERNEL_SNAP
# symbols: $KERNEL_DIR/vmlinux
# gdb-init: add-auto-load-safe-path $KERNEL_DIR
python
import os, signal, threading
def pc_of(thread):
    gdb.execute("thread %d" % thread, to_string=True)
    return int(gdb.parse_and_eval("$pc"))
end
break do_basic_setup
continue
delete
info threads
thread 2
bt
thread 1
thread apply all bt 1
python
other = pc_of(2)
gdb.execute("thread 1", to_string=True)
gdb.execute("set scheduler-locking on")
moved = 0
for i in range(10):
    gdb.execute("stepi", to_string=True)
    if pc_of(2) != other:
        moved += 1
    gdb.execute("thread 1", to_string=True)
gdb.execute("set scheduler-locking off")
print("CPU 1 moved while CPU 0 was stepped: %d times" % moved)
# Soon after the resume: from do_basic_setup the initramfs runs to its end (a reboot) within
# a second or two on a fast host, and Ctrl-C must find the guest running.
threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
gdb.execute("continue")
a = (pc_of(1), pc_of(2))
gdb.execute("info threads")
b = (pc_of(1), pc_of(2))
print("after Ctrl-C both CPUs stay stopped: %s" % (a == b))
end
kill
