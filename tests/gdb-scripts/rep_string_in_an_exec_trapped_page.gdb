# A REP string instruction in an exec-trapped page runs right: with `break-mode trap` the
# breakpoint at after_port_write traps _start's page, which also holds selfmod64's `rep movsb`.
# Stepped out of the trapped page under a continue, it keeps its page mapped while the pc stays
# in the page, as any code there (debug/step_aside.c; one single-step exit per iteration
# instead of two memory-map changes and a trapped fetch). The copy must be whole (the guest checks the
# new code's result, `seen` its first byte), rcx 0, and the breakpoint hit after it. This path
# is faster, not different: the test passed before it too, and guards its correctness. With
# --cpus 2, CPU 1 writes beside `target` all the while, and CPU 0 copies only once CPU 1 has
# written (await_scribble: CPU 0's whole path to the breakpoint is short enough to be stepped
# in one pause of the others, so without it CPU 1 might not have run yet): the other vCPUs are
# paused while code in the page is stepped with it mapped (the map changes only with them
# parked) and run again after it; the guest ends only if both got on.
# guest: build/guest/selfmod64.img
# args: --cpus 2
# symbols: build/guest/selfmod64.img
# status: 1
# console: ^selfmod64 OK$
monitor break-mode trap
set var *(char *)&await_scribble = 1
break after_port_write
continue
p $pc == (long)&after_port_write
p *(long *)&scribble > 0
p $rcx
p/x *(unsigned char *)&seen
x/2bx target
delete
continue
