# int3_put_back_over_guest_write with two vCPUs: CPU 1 keeps writing a counter in the INT3's
# page (each write exits through KVM's emulation to kvmstub, as CPU 0's do) while CPU 0 copies
# new code over the INT3; CPU 0 starts copying once CPU 1 has written (await_scribble), so the
# writes of both do meet. They are kept apart (the MMIO bus's lock): the INT3 stays over the
# new byte (the guest reads 0xcc), the counter moved, gdb reads the new code, and once the
# breakpoint is deleted the new code is whole and runs.
# guest: build/guest/selfmod64.img
# symbols: build/guest/selfmod64.img
# args: --cpus 2
# status: 1
# console: ^selfmod64 OK$
set breakpoint always-inserted on
set var *(char *)&await_scribble = 1
monitor break-mode int3
break *target
monitor break io 0x510 w
continue
p $pc == (long)&after_port_write
p/x *(unsigned char *)&seen
p *(long *)&scribble > 0
x/2bx target
delete 1
monitor break delete all
continue
