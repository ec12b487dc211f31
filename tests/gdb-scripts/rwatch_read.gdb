# A read watchpoint (rwatch): x86 debug registers cannot watch reads alone; kvmstub's memory
# traps can, so only reads stop, never the writes around them.
# guest: build/guest/loop64.img
# symbols: build/guest/loop64.img
# status: 1
# console: ^loop64 OK$
rwatch *(long *)&limit
continue
p $rcx
continue
p $rcx
delete
continue
