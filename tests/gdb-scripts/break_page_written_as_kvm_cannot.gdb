# Writes KVM's emulator cannot perform, into the page of an INT3 (issue 14.3's write
# protection): protwrite64 stores with x87 `fstp` and takes `int 0x40` on a stack in that page.
# kvmstub lifts the page's protection and lets the guest try again, so both writes happen (the
# guest checks them); the INT3 stays, no longer write-protected, and the guest ends normally.
# (`monitor break-mode int3` for the lane, whose INT3s never reach kvmstub: the guest never
# runs `target`.)
# (PVM's emulator lacks the x87 store itself: there the guest cannot run.)
# needs: native-code
# native-why: its emulator lacks the x87 store into a protected page this guest runs on purpose
# guest: build/guest/protwrite64.img
# symbols: build/guest/protwrite64.img
# status: 1
# console: ^protwrite64 OK$
set breakpoint always-inserted on
monitor break-mode int3
break *target
monitor break io 0x510 w
monitor breakpoints
continue
p $pc == (long)&after_port_write
p *(long *)&handled
monitor breakpoints
delete 1
monitor break delete all
continue
