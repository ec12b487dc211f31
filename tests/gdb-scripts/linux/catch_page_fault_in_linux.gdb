# `monitor catch exception #PF` in a Linux kernel stops in a real page fault, with CR2 shown
# (issue 14.1). From the snapshot fixture (the PVH vmlinux, --cpus 2, the initramfs, stopped at
# the kernel's banner): a first stop in do_basic_setup, when the kernel's final IDT is in place
# (a catch follows the IDT from a stop; the banner's is the early one), then the catch and
# `continue`, to the first page fault from there on (the initramfs's user space takes them).
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
kill
