# While recording, an hbreak at an exception handler's first instruction stops there when the
# guest's own instruction raises the exception. On PVM a step over the faulting instruction also
# runs the handler's first instruction, so kvmstub keeps instruction breakpoints at exception
# handlers armed in KVM rather than checking the pc itself before each step (DESIGN.md §6);
# checked before each step only, this one was passed. The guest then runs on, not recorded, to
# its normal end. (Going back from such a stop is not exact: DESIGN.md §9, the stop inside a
# step.)
# guest: build/guest/catch64.img
# symbols: build/guest/catch64.img
# status: 1
# console: ^catch64 OK$
break idt_ready
continue
delete
monitor record on
hbreak de_handler
continue
print $pc == (long)&de_handler
delete
monitor record off
continue
