# A KASLR kernel without nokaslr (issue 13.4): `kaslr` on the command line, gdb with the
# vmlinux and kvmstub's helper, `break start_kernel` before the first continue, as the issue
# says, and `break do_basic_setup` (where the kernel's log has its banner for lx-dmesg). While
# the kernel decompresses the breakpoints wait (their addresses mean nothing yet); kvmstub
# learns the slide from the kernel's GS_BASE write at its virtual address and stops there once;
# the helper relocates the symbols (symbol-file -o) and gdb moves the breakpoints (before,
# kvmstub refused them on hosts without live debug registers, and gdb could not continue); the
# next continue stops in start_kernel, at its randomized address, the next in do_basic_setup,
# and the lx- scripts read the kernel (lx-dmesg). qOffsets then answers the slide. Where
# debug-register breakpoints do not fire (`monitor status`; the hardware-host lane) only
# do_basic_setup: a breakpoint before paging is then an exec trap, and on start_kernel's busy
# page too slow to rely on, with or without KASLR (DESIGN.md §7), and the first stop is
# do_basic_setup's. (A slide of 0, one boot in ~500, makes no stop: the script
# continues once more only when the first stop is not a breakpoint.)
# guest: $KERNEL_DIR/bzImage
# args: --initrd $INITRD --cmdline 'console=ttyS0 kaslr'
# symbols: $KERNEL_DIR/vmlinux
# gdb-init: add-auto-load-safe-path $KERNEL_DIR
source gdb/kvmstub.py
monitor kaslr
break do_basic_setup
python
import re
said_dr = re.search(r"debug-register breakpoints (fire|never fire)",
                    gdb.execute("monitor status", to_string=True))
if not said_dr:  # the wording changed: say so rather than take one host kind's path
    raise gdb.GdbError("monitor status no longer says whether debug-register breakpoints fire")
exec_traps = said_dr.group(1) == "never fire"
first = "do_basic_setup" if exec_traps else "start_kernel"
if not exec_traps:
    gdb.execute("break start_kernel")
def addr(sym):
    return int(gdb.parse_and_eval("(unsigned long)&" + sym)) & 0xffffffffffffffff
def stopped_in(name):  # do_basic_setup is static and inlined: its frame says it
    return gdb.selected_frame().name() == name
out = gdb.execute("continue", to_string=True)
print(out)
if not stopped_in(first):
    print(gdb.execute("continue", to_string=True))
text = gdb.execute("monitor kaslr", to_string=True)
slide = int(re.search(r"kaslr slide (0x[0-9a-f]+)", text).group(1), 16)
said = slide == 0 or ("kvmstub: the kernel's KASLR slide is %#x" % slide in out and
                      "relocated by the kernel's KASLR slide %#x" % slide in out)
print("kvmstub and the helper said so at the first stop: %s" % said)
pc = int(gdb.parse_and_eval("$pc")) & 0xffffffffffffffff
print("stopped at the first breakpoint, at its randomized address: %s" %
      (stopped_in(first) and (exec_traps or addr(first) <= pc < addr(first) + 4096)))
print("the symbols moved by the slide: %s" % (addr("_text") == 0xffffffff81000000 + slide))
if not exec_traps:
    gdb.execute("continue", to_string=True)
print("stopped in do_basic_setup: %s" % stopped_in("do_basic_setup"))
end
maintenance packet qOffsets
python
dmesg = gdb.execute("lx-dmesg", to_string=True)
print("lx-dmesg has the banner: %s" % ("Linux version 6.1" in dmesg))
end
kill
