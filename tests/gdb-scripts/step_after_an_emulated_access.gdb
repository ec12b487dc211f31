# A step after an instruction KVM emulated (an access to a trapped page) is one instruction.
# KVM's emulator writes RFLAGS back without the trap flag of KVM_GUESTDBG_SINGLESTEP once RIP
# has moved on (after a read in the KVM_RUN that completes it, before the exit for a write),
# so only a KVM_SET_GUEST_DEBUG before the next run steps again; without it the next stepi ran
# free to the next exit. `watch-mode trap` puts the watchpoint's page (counter and limit) out
# of the map on every host: each of bump's loads and its store are emulated. With breakpoints
# always inserted gdb sends no z/Z between the steps, which would re-apply guest debug anyway.
# guest: build/guest/loop64.img
# symbols: build/guest/loop64.img
# status: 1
# console: ^loop64 OK$
break bump
continue
delete
set breakpoint always-inserted on
monitor watch-mode trap
watch *(long *)&counter
stepi
p $pc
stepi
p $pc
stepi
p $pc
stepi
p $pc
stepi
p $pc
delete
continue
