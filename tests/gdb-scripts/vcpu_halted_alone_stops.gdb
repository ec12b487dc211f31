# With scheduler-locking, gdb lets one vCPU run while the other stays stopped. When that vCPU
# halts for good (cli; hlt) nothing else can stop, so kvmstub reports a stop rather than leave
# gdb waiting; continuing it again stops at once; then the whole guest runs to its end.
# guest: build/guest/smp64.img
# args: --cpus 2
# symbols: build/guest/smp64.img
# status: 1
# console: ^smp64 OK$
break loop0
continue
delete
set *(long *)&release = 1
set scheduler-locking on
thread 2
continue
p $pc == (long)&loop1 + 15
x/i $pc - 1
continue
set scheduler-locking off
thread 1
continue
