# `monitor catch exception #PF` in a Linux kernel stops in a real page fault, with CR2 shown
# (issue 14.1). From the snapshot fixture (the PVH vmlinux, --cpus 2, the initramfs, stopped at
# the kernel's banner): a first stop in do_basic_setup, when the kernel's final IDT is in place
# (a catch follows the IDT from a stop; the banner's is the early one), then the catch and
# `continue`, to the first page fault from there on (the kernel's own: clear_page_orig, where
# it was seen on both host kinds). Then `stepi` delivers it, into the handler's first
# instruction, with the frame the CPU pushed (issue 14.5).
# In the hardware-host lane the catch is an exec trap on the kernel's busy entry page: 10-69 s
# there when it passed, 95-101 s when gdb's default 90 s ran out (ci57, ci64), hence 240 s.
# args: --restore $KERNEL_SNAP
# symbols: $KERNEL_DIR/vmlinux
# gdb-init: add-auto-load-safe-path $KERNEL_DIR
# gdb-timeout: 240
monitor catch exception #PF
continue
monitor exception
p $pc != 0
monitor catch exception none
python
# Then a step over the faulting instruction (issue 14.5): it stops at the handler's first
# instruction, the frame the CPU pushed holding the faulting pc and the guest's own RFLAGS.
import re, struct
said = gdb.execute("monitor exception", to_string=True)
handler = int(re.search(r"handler (0x[0-9a-f]+)", said).group(1), 16)
raised = int(re.search(r"raised at (0x[0-9a-f]+)", said).group(1), 16)
gdb.execute("stepi", to_string=True)
pc = int(gdb.parse_and_eval("$pc")) & (2**64 - 1)
sp = int(gdb.parse_and_eval("$sp")) & (2**64 - 1)
error, rip, cs, rflags = struct.unpack("<4Q", bytes(gdb.selected_inferior().read_memory(sp, 32)))
print("stepped to the handler's first instruction: %s" % (pc == handler))
print("its frame holds the faulting pc: %s" % (rip == raised))
print("and RFLAGS without the step's trap flag: %s" % (rflags & 0x100 == 0))
end
monitor exception
kill
