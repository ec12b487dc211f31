# A Linux kernel that triple-faults in its boot is a crash, not a reboot: kvmstub stops it with
# SIGSEGV under gdb and ends with status 6. (Before, every triple fault of a Linux guest was
# taken for its reboot by triple fault, reboot=t: gdb heard "exited normally", status 0, and a
# kernel developer never saw the crash.) From the snapshot fixture (stopped at the kernel's
# banner, interrupts still off, the early IDT without IST stacks): a non-canonical stack
# pointer makes the next push raise #SS, whose delivery faults on the same stack (#DF), whose
# delivery faults again: a triple fault, with no restart and no panic on the console. A real
# reboot still ends with status 0 (the user-space shell test's `exit`, hardware-host lane).
# `monitor exception` tells the chain where KVM kept the state (PVM: #DF cannot be delivered,
# the stack pointer is not canonical), and says to record the run where it did not (kvm_amd).
# Which stack pointer that is depends on where the fixture stopped in the banner's printing: a
# function's epilogue may add to it before the first access faults (0x28 once the fixture
# was rebuilt, ci81).
# args: --restore $KERNEL_SNAP
# symbols: $KERNEL_DIR/vmlinux
# gdb-init: add-auto-load-safe-path $KERNEL_DIR
# status: 6
set $rsp = 0xdead000000000000
continue
printf "TRIPLE-FAULT-STOP\n"
monitor exception
continue
