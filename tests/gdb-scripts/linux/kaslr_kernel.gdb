# A KASLR kernel without nokaslr (issue 13.4): `kaslr` on the command line, gdb with the
# vmlinux and kvmstub's helper, a breakpoint before the first continue (do_basic_setup: on the
# hardware-host lane an exec trap on start_kernel's page is too slow to rely on, with or without
# KASLR: DESIGN.md §7, tests/hwhost/host-limits; this one is hit, as in smp_threads). While the
# kernel decompresses the breakpoint waits (its address means nothing yet); kvmstub learns
# the slide from the kernel's GS_BASE write at its virtual address and stops there once; the
# helper relocates the symbols (symbol-file -o) and gdb moves the breakpoint (before, kvmstub
# refused it on hosts without live debug registers, and gdb could not continue); the next
# continue stops there, at its randomized address, and the lx- scripts read the kernel
# (lx-dmesg). qOffsets then answers the slide. (A slide of 0, one boot in ~500, makes no
# stop: the script continues once more only when the first stop is not the breakpoint.)
# guest: $KERNEL_DIR/bzImage
# args: --initrd $INITRD --cmdline 'console=ttyS0 kaslr'
# symbols: $KERNEL_DIR/vmlinux
# gdb-init: add-auto-load-safe-path $KERNEL_DIR
source gdb/kvmstub.py
monitor kaslr
break do_basic_setup
python
import re
def addr(sym):
    return int(gdb.parse_and_eval("(unsigned long)&" + sym)) & 0xffffffffffffffff
def at_breakpoint():  # do_basic_setup is static and inlined: its frame says it
    return gdb.selected_frame().name() == "do_basic_setup"
out = gdb.execute("continue", to_string=True)
print(out)
if not at_breakpoint():
    print(gdb.execute("continue", to_string=True))
text = gdb.execute("monitor kaslr", to_string=True)
slide = int(re.search(r"kaslr slide (0x[0-9a-f]+)", text).group(1), 16)
said = slide == 0 or ("kvmstub: the kernel's KASLR slide is %#x" % slide in out and
                      "relocated by the kernel's KASLR slide %#x" % slide in out)
print("kvmstub and the helper said so at the first stop: %s" % said)
print("stopped in do_basic_setup: %s" % at_breakpoint())
print("the symbols moved by the slide: %s" % (addr("_text") == 0xffffffff81000000 + slide))
end
maintenance packet qOffsets
python
dmesg = gdb.execute("lx-dmesg", to_string=True)
print("lx-dmesg has the banner: %s" % ("Linux version 6.1" in dmesg))
end
kill
