# A stepi over STI stops at the next instruction, with IF set, on every host. On the lane's
# host (kvm_amd in QEMU's TCG emulation of SVM) KVM's single-step over STI trapped only after
# the next instruction too (at main_loop + 7), which also made the step out of an exec-trapped
# page pass a breakpoint there; where the host probe finds that, kvmstub executes a stepped STI
# itself (vm/x86/own_step.c).
# guest: build/guest/timer64.img
# args: --irqchip
# symbols: build/guest/timer64.img
# status: 1
# console: ^timer64 OK$
break *(main_loop - 1)
continue
x/i $pc
stepi
p $pc
p ($eflags & 0x200) != 0
stepi
p $pc
delete
continue
