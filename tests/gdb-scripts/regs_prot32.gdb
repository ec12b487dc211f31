# Registers in 32-bit protected mode: the i386 layout, flat segments, writes reach the vCPU.
# guest: build/guest/prot32.img
# symbols: build/guest/prot32.img
# status: 3
# console: ^32-bit protected mode FAILED$
show architecture
p $eip == (long)&_start
p/x $cs
p/x $ds
p/x $cr0
stepi
stepi
# prot32 checks CR0.PE with `test eax, 1`: set ZF so its `jz fail` is taken
set $eflags = $eflags | 0x40
stepi
p/x $eip == (long)&fail
continue
