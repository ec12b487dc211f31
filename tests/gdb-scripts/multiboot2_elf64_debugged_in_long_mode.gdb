# A multiboot2 ELF64 kernel: entered in 32-bit mode as GRUB 2 enters it, it switches to long
# mode itself. --gdb-arch auto gives gdb the x86-64 layout from the start (the image holds
# 64-bit code), so its 64-bit loop debugs whole: rip, r8-r15, a breakpoint, stepping.
# guest: build/guest/multiboot2_long64.img
# symbols: build/guest/multiboot2_long64.img
# status: 1
# console: ^multiboot2: 32-bit entry$
# console: ^multiboot2 long mode OK$
show architecture
p $eax == 0x36d76289
p $rip == (long)&_start
p ($efer & 0x400) == 0
break lm_loop
continue
info registers rip
info registers r8 r9 r15
p/x $efer & 0x500
p/x $cs
stepi
p $rip == (long)&bump
x/i $pc
bt
delete
continue
