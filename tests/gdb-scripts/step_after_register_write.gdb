# A step after gdb wrote a register, or after a snapshot was restored, is one instruction, and
# a range step one line. KVM sets the trap flag of KVM_GUESTDBG_SINGLESTEP only while RIP is
# where KVM_SET_GUEST_DEBUG was last called: any KVM_SET_REGS elsewhere clears it, and a vCPU
# already stepping ran free (seen as `set var $pc` then `step` running to the end of a loop
# without exits). fill_buffer's loop makes no exit: a step that runs free leaves it.
# guest: build/guest/loop64.img
# symbols: build/guest/loop64.img
# status: 1
# console: ^loop64 OK$
break fill_buffer
continue
delete
stepi
stepi
p $pc
set var $eax = 3
stepi
p $pc
p $eax
set var $pc = fill_buffer
stepi
p $pc
set var $pc = fill_buffer
next
p $pc
stepi
monitor snapshot save here
stepi
stepi
monitor snapshot restore here
maintenance flush register-cache
p $pc
stepi
p $pc
next
p $pc
continue
