# An instruction that begins in one page and ends in the page of an exec-trap breakpoint (the
# breakpoint's page is out of the map): the failed fetch of its tail is stepped aside like code
# in the trapped page itself, not taken for an instruction KVM cannot run, and the breakpoint
# after it is hit each time round. The `out` between them is an exit before the breakpoint, put
# there when the lane's emulated host was thought to lose the single-step after a trapped fetch;
# measured on 2026-12-07, it does not (DESIGN.md §7).
# guest: build/guest/straddle64.img
# symbols: build/guest/straddle64.img
# status: 1
# console: ^straddle64 OK$
monitor break-mode trap
break target
continue
p $rcx
p *(long *)&count
continue
p $rcx
p *(long *)&count
continue
p $rcx
delete
continue
