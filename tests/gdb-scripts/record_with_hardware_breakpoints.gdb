# Recording with breakpoints in debug registers (hbreak). While recording, kvmstub does not arm
# instruction breakpoints in KVM (armed debug registers cost every KVM_RUN 4-5 us on PVM) and
# checks the pc against them before each recorded step instead (DESIGN.md §6): an hbreak must
# still stop at every hit, a condition gdb hands to the stub (agent bytecode) must still be
# evaluated there and stepped past when false, and the positions recorded meanwhile must replay
# exactly (reverse-continue to the previous hit, then forwards again to the newest). loop64
# calls bump five times: counter is 0 to 4 there.
# guest: build/guest/loop64.img
# symbols: build/guest/loop64.img
# status: 1
# console: ^loop64 OK$
break count_loop
continue
delete
monitor record on
hbreak bump
continue
print *(long *)&counter
continue
print *(long *)&counter
delete
set breakpoint condition-evaluation target
hbreak bump if *(long *)&counter == 3
continue
print *(long *)&counter
print $pc == (long)&bump
delete
hbreak bump
reverse-continue
print *(long *)&counter
print $pc == (long)&bump
continue
print *(long *)&counter
monitor record status
delete
monitor record off
continue
