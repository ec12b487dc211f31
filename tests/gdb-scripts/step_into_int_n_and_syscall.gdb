# A step over INT n stops at the handler's first instruction with the guest's own RFLAGS in the
# frame, as a step over an exception does: INT n clears TF entering the handler and pushes
# KVM's; in the lane KVM's step ran the whole handler and stopped one instruction past its
# return, and on PVM, whose emulator refuses INT n, the guest could not run at all (kvmstub
# delivers it, and steps it, itself now). A step over
# SYSCALL stops at its entry with R11 (the RFLAGS it saved) the guest's own, without KVM's trap
# flag: the entry's return loads RFLAGS from R11, and a trap flag there would give the guest a
# #DB after it (intn64's #DB handler fails it). kvmstub executes that SYSCALL itself: under
# QEMU's emulated SVM (the lane) KVM's step ran the whole entry and stopped after the return.
# guest: build/guest/intn64.img
# symbols: build/guest/intn64.img
# status: 1
# console: ^intn64 OK$
break int_at
continue
delete
stepi
p $pc == (long)&int_handler
p *(long *)$sp == (long)&after_int
p (*(long *)($sp + 16) & 0x100) == 0
stepi
p $pc == (long)&int_handler + 6
break syscall_at
continue
delete
stepi
p $pc == (long)&syscall_entry
p $rcx == (long)&after_syscall
p ($r11 & 0x100) == 0
p $cs == 0x20 && $ss == 0x28
continue
