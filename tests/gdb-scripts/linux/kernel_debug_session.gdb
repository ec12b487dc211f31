# Debugging the fixture kernel (bzImage) from before paging to its end, as README's
# "Debugging Linux" tells a kernel developer to: `break start_kernel` set before the first
# continue (its address is not mapped while the kernel decompresses: kvmstub backs it with a
# debug register), `finish` and `step`, `next` that stays in the function, hbreak later, stepping with interrupts on
# that stays out of interrupt handlers, `watch jiffies`, Ctrl-C, a software breakpoint late in
# boot, the kernel's lx- scripts, and the guest's end reported to gdb. kvmstub adds nokaslr
# under --gdb, so the vmlinux symbols match. Long where breakpoints are exec traps (the lane:
# code in a trapped page is stepped an instruction at a time), so gdb has 240 s.
# guest: $KERNEL_DIR/bzImage
# args: --initrd $INITRD
# symbols: $KERNEL_DIR/vmlinux
# gdb-init: add-auto-load-safe-path $KERNEL_DIR
# console: Run /init as init process
# gdb-timeout: 240
python
import os, signal, threading
def frame_name():
    return gdb.selected_frame().name()
def attempt(cmd):
    try:
        gdb.execute(cmd)
    except gdb.error as e:
        print("error: %s" % e)
end
break start_kernel
continue
bt 1
tbreak setup_arch
continue
finish
python
entered = None
for i in range(12):
    gdb.execute("step", to_string=True)
    if frame_name() != "start_kernel":
        entered = frame_name()
        break
print("step went into a callee: %s" % ("yes" if entered else "no"))
gdb.execute("finish", to_string=True)
print("finish returned to %s" % frame_name())
left = [frame_name()]
for i in range(20):
    gdb.execute("next", to_string=True)
    if frame_name() != "start_kernel":
        left.append(frame_name())
print("next x20 stayed in start_kernel: %s" % ("yes" if len(left) == 1 else "no: %s" % left))
end
delete
hbreak rest_init
continue
p init_task.comm
p $lx_current().pid
p jiffies > 0
info threads
python
flags = int(gdb.parse_and_eval("$eflags"))
lo = int(gdb.parse_and_eval("(long)&__irqentry_text_start"))
hi = int(gdb.parse_and_eval("(long)&__irqentry_text_end"))
entered = 0
for i in range(60):
    gdb.execute("stepi", to_string=True)
    pc = int(gdb.parse_and_eval("$pc"))
    name = gdb.block_for_pc(pc).function if gdb.block_for_pc(pc) else None
    if lo <= pc < hi or (name and "interrupt" in str(name)):
        entered += 1
print("interrupts enabled while stepping: %s" % ("yes" if flags & 0x200 else "no"))
print("stepi x60 entered interrupt handlers: %d times" % entered)
end
delete
watch jiffies
continue
delete
python
# Soon after the resume (as smp_threads): where the kernel runs at full speed it reaches
# run_init_process within a second or two, and Ctrl-C must stop it before.
threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
gdb.execute("continue")
end
break run_init_process
continue
lx-cmdline
python
ps = gdb.execute("lx-ps", to_string=True)
print("lx-ps lists kthreadd: %s" % ("kthreadd" in ps))
dmesg = gdb.execute("lx-dmesg", to_string=True)
print("lx-dmesg has the boot log: %s" % ("Linux version 6.1" in dmesg and "Freeing unused kernel" in dmesg))
if os.path.exists("/sys/module/kvm_pvm"):
    print("syscall breakpoint: skipped, this host cannot run Linux user space")
else:
    gdb.execute("break ksys_write")
    gdb.execute("continue")
    print("syscall breakpoint: hit in %s" % frame_name())
end
delete
continue
