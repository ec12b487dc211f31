# An INT3 put back over the guest's own write (issue 14.3). `monitor break-mode int3` makes the
# breakpoint an INT3 on every host (on the hardware-host lane too, where an INT3 never reaches
# kvmstub: this guest never runs it). selfmod64 copies new code over `target`, where the INT3
# is; the page is write-protected, so the write exits and kvmstub keeps the INT3 over the new
# byte: the guest reads 0xcc there (`seen`, before its port write stops it), gdb reads the new
# code, and once the breakpoint is deleted the new code is whole and runs (the guest checks
# its result: the old first byte put back would not return 42).
# guest: build/guest/selfmod64.img
# symbols: build/guest/selfmod64.img
# status: 1
# console: ^selfmod64 OK$
set breakpoint always-inserted on
monitor break-mode int3
break *target
monitor break io 0x510 w
monitor breakpoints
monitor memmap
continue
p $pc == (long)&after_port_write
p/x *(unsigned char *)&seen
x/2bx target
delete 1
monitor break delete all
x/2bx target
continue
