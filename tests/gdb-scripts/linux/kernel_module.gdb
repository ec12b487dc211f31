# A breakpoint in a kernel module, found through the kernel's own gdb scripts (issue 14.6). From
# the snapshot fixture (stopped at the kernel's banner, before any module): `lx-symbols` finds
# no module yet and puts its breakpoint on do_init_module; `break kvmstub_probe_poke` is pending
# until the initramfs loads the test module (guest/linux/module/), when lx-symbols adds the
# module's symbols at the address the kernel chose and gdb places it. It is hit from the
# module's init: the argument, the module's .data and .bss, the backtrace into its init and the
# source line are right. Then the guest runs to its end. The module is loaded by user space,
# so this runs only where Linux user space can. lx-symbols runs where the .ko is, as its help
# suggests (it always scans its working directory too, and the repository's is large).
# needs: user-space
# args: --restore $KERNEL_SNAP
# symbols: $KERNEL_DIR/vmlinux
# gdb-init: add-auto-load-safe-path $KERNEL_DIR
# status: 0
# console: kvmstub_probe: loaded, poke gave 42
# console: ^kvmstub-fact: modules=kvmstub_probe
python
import os
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
delete
continue
