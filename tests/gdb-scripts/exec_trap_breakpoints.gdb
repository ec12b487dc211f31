# Breakpoints as exec traps (what kvmstub uses where neither INT3 nor debug registers reach it,
# and what `monitor break-mode trap` asks for everywhere): break and hbreak are hit each time
# round a loop, the rest of the page runs normally, and memory reads show the original code.
# guest: build/guest/loop64.img
# symbols: build/guest/loop64.img
# status: 1
# console: ^loop64 OK$
set breakpoint always-inserted on
monitor break-mode trap
break bump
hbreak long_walk
continue
monitor breakpoints
x/1bx bump
p $rcx
continue
p $rcx
continue
p $rcx
delete 1
continue
p $pc == (long)&long_walk
delete
continue
