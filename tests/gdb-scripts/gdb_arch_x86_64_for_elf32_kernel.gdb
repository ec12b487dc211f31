# An ELF32 multiboot kernel that switches to long mode: nothing in the file says it holds
# 64-bit code, so --gdb-arch x86-64 asks for the x86-64 layout, and gdb (which refuses a 64-bit
# description for a 32-bit file) is told `set architecture i386:x86-64` before it connects.
# guest: build/guest/multiboot_long64.img
# args: --gdb-arch x86-64
# symbols: build/guest/multiboot_long64.img
# gdb-init: set architecture i386:x86-64
# status: 1
# console: ^multiboot long mode OK$
show architecture
break lm_loop
continue
info registers rip r8 r12
stepi
p $rip == (long)&bump
delete
continue
