# A step after an instruction KVM emulates without an exit to kvmstub is one instruction. KVM
# keeps the trap flag of KVM_GUESTDBG_SINGLESTEP only at the pc where guest debug was last set,
# and its emulator writes RFLAGS back without it elsewhere. kvm_amd without decode assists (the
# lane's emulated SVM) emulates `mov cr4` so: the step over it still stops (KVM reports the
# step of an instruction it emulated), but the next one ran free to the guest's end before
# guest debug was set at each step's own pc (gd_apply). No breakpoint is left while stepping,
# so gdb sends no z/Z between the steps (which would set guest debug again).
# guest: build/guest/crwrite64.img
# symbols: build/guest/crwrite64.img
# status: 1
# console: ^crwrite64 OK$
break cr_write
continue
delete
stepi
p $pc == (long)&after_cr_write
stepi
p $pc == (long)&after_cr_write + 1
stepi
p $pc == (long)&after_cr_write + 2
continue
