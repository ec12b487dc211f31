# A breakpoint survives the guest writing new code over it (issue 14.3): selfmod64 copies new
# code over `target`, a page of its own, after gdb set the breakpoint there, then calls it.
# The breakpoint stops at target, memory shows the new code, and the guest runs the new code
# (it checks the result itself). Whatever backs the breakpoint: an INT3 in a write-protected
# page (hardware, PVM) or an exec trap (the hardware-host lane).
# guest: build/guest/selfmod64.img
# symbols: build/guest/selfmod64.img
# status: 1
# console: ^selfmod64 OK$
break *target
continue
p $pc == (long)&target
x/2bx target
continue
