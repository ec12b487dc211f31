# A breakpoint in a kernel module, found through the kernel's own gdb scripts (issue 14.6). The
# PVH vmlinux boots with one vCPU and the initramfs, and gdb stops it (as Ctrl-C does) once the
# kernel printed its banner, before any module: `lx-symbols` finds no module yet and puts its
# breakpoint on do_init_module; `break kvmstub_probe_poke` is pending until the initramfs loads
# the test module (guest/linux/module/), when lx-symbols adds the module's symbols at the
# address the kernel chose and gdb places it. It is hit from the module's init: the argument,
# the module's .data and .bss, the source line and the section are right; lx-lsmod lists it.
# Then the guest runs to its end. The module is loaded by user space, so this runs only where
# Linux user space can. lx-symbols runs where the .ko is, as its help suggests (it always scans
# its working directory too, and the repository's is large). One vCPU, not the snapshot
# fixture's two: with two, where breakpoints are exec traps (the lane), a vCPU once found the
# memory map not held for its step out of do_init_module's trapped page, and the guest ended
# ("mapping a trapped page back while another vCPU may run"), a race DESIGN.md §8 records as
# closed on 2026-12-07. It stays at one because with two a step out of a trapped page goes on
# with the page mapped only through a REP string instruction (§8), so insmod is stepped
# through that page one trapped instruction at a time. Long where breakpoints are exec traps
# even so.
# First, the start of issue 15.2's kernel-debugging session where user space runs: `break
# start_kernel` before the kernel runs (an exec trap at its physical address in the lane),
# stopped there, then `lx-dmesg` once the banner is out.
# needs: user-space
# gdb-timeout: 240
# guest: $KERNEL_DIR/vmlinux
# args: --initrd $INITRD
# symbols: $KERNEL_DIR/vmlinux
# gdb-init: add-auto-load-safe-path $KERNEL_DIR
# status: 0
# console: kvmstub_probe: loaded, poke gave 42
# console: ^kvmstub-fact: modules=kvmstub_probe
source tests/gdb-scripts/lib/console.py
break start_kernel
continue
python print("stopped in start_kernel: %s" % (gdb.selected_frame().name() == "start_kernel"))
delete
python
import os
continue_until_console(os.path.join(os.environ["TEST_DIR"], "console"), "Linux version", 120)
dmesg = gdb.execute("lx-dmesg", to_string=True)
print("lx-dmesg shows the banner: %s" % ("Linux version" in dmesg))
end
python
gdb.execute("cd %s/modules" % os.environ["KERNEL_DIR"])
end
lx-symbols
set breakpoint pending on
break kvmstub_probe_poke
continue
p value
p/x kvmstub_probe_magic
p kvmstub_probe_pokes
bt 1
info symbol $pc
lx-lsmod
python
# User space is alive here (the initramfs's init runs insmod): lx-ps sees it (issue 15.2).
ps = gdb.execute("lx-ps", to_string=True)
print("lx-ps lists the insmod loading the module: %s" % ("insmod" in ps))
end
delete
continue
