# A BIOS-style boot sector at 0x7C00 that far-jumps to CS 0x07C0: with --gdb-realmode-linear
# gdb's pc is CS.base + IP, so a breakpoint at the linear address hits and x/i $pc shows the
# code there; a pc written becomes IP (CS too when it must), a CS written keeps IP.
# guest: build/guest/bootsector.img
# args: --load-addr 0x7c00 --gdb-realmode-linear
# status: 1
# console: ^boot sector at 07C0:0000$
# console: ^boot sector OK$
show architecture
p/x $pc
p/x $cs
# bump, at offset 0x80 of the sector
break *0x7c80
continue
p/x $pc
p/x $cs
x/i $pc
info registers eip cs
# out of CS's 64 KiB: CS follows
set $pc = 0x17c80
p/x $cs
p/x $pc
# a new CS keeps IP (0): the pc is its base now
set $cs = 0x7c0
p/x $pc
# back where it was: IP 0x80 in CS 0x7c0
set $pc = 0x7c80
p/x $cs
p/x $pc
stepi
p/x $pc
delete
continue
