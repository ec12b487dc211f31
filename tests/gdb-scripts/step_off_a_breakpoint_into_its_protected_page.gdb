# gdb's continue from a breakpoint takes its INT3s out, steps one instruction and puts them back
# (z0 s Z0 c). kvmstub keeps the write protection of an INT3's page through such a step
# (vm/memslots.h: it lingers until a run that is not only steps), so the step's own writes to
# that page exit and kvmstub completes them. selfmod64 stops at its `rep movsb`; continuing
# steps its first iteration, which writes the first byte of `target`, where the other
# breakpoint is, and stops at the `rep movsb` again (the pc has not moved): that byte is the new
# code's. The rest of the copy runs with the INT3 back; the breakpoint at target stops with the
# new code in memory, and the new code, whole, runs (the guest checks its result).
# guest: build/guest/selfmod64.img
# symbols: build/guest/selfmod64.img
# status: 1
# console: ^selfmod64 OK$
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
delete
continue
