# A REP string instruction in an exec-trapped page runs right: with `break-mode trap` the
# breakpoint at after_port_write traps _start's page, which also holds selfmod64's `rep movsb`.
# Stepped out of the trapped page under a continue, it keeps its page mapped while its pc stays
# (debug/step_aside.c; one single-step exit per iteration instead of two memory-map changes and
# a trapped fetch; with one vCPU any code in the page goes on so). The copy must be whole (the guest checks the
# new code's result, `seen` its first byte), rcx 0, and the breakpoint hit after it. This path
# is faster, not different: the test passed before it too, and guards its correctness. With
# --cpus 2, CPU 1 writes beside `target` all the while, and CPU 0 copies only once CPU 1 has
# written (await_scribble: so that CPU 1 has run before the copy whichever vCPU traps first):
# the other vCPUs are paused while the REP is stepped with its page mapped (the map changes
# only with them parked) and run again after it; the guest ends only if both got on.
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
