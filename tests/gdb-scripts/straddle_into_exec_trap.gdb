# An instruction that begins in one page and ends in the page of an exec-trap breakpoint (the
# breakpoint's page is out of the map): the failed fetch of its tail is stepped aside like code
# in the trapped page itself, not taken for an instruction KVM cannot run, and the breakpoint
# after it is hit each time round. The `out` between them gives the lane's emulated host, which
# loses the single-step after a trapped fetch (DESIGN.md §10), an exit before the breakpoint.
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
