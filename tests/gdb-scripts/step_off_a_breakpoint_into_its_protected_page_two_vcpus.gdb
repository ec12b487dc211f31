# step_off_a_breakpoint_into_its_protected_page with two vCPUs: CPU 1 keeps writing a counter in
# the page of the INT3 at `target` (each write exits to kvmstub while the page is
# write-protected), and CPU 0 starts its copy once CPU 1 has written (await_scribble). CPU 0's
# step off the breakpoint at its `rep movsb` writes the first byte of `target` with the
# protection lingering in KVM's map (vm/memslots.h), then the continue ends the lingering (a
# new memory map while both vCPUs are stopped, as the map rule requires, checked at every
# change) while CPU 1 goes on writing: the INT3 stays over the new byte, the counter moved, the
# breakpoint at target stops with the new code, which then runs whole.
# guest: build/guest/selfmod64.img
# symbols: build/guest/selfmod64.img
# args: --cpus 2
# status: 1
# console: ^selfmod64 OK$
set var *(char *)&await_scribble = 1
break *target
break *rep_copy
continue
p $pc == (long)&rep_copy
continue
p $pc == (long)&rep_copy
x/2bx target
delete 2
continue
p $pc == (long)&target
x/2bx target
p *(long *)&scribble > 0
delete
continue
