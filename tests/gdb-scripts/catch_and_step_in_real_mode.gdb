# Exceptions in real mode, through the IVT the guest filled (guest/realcatch.asm, CS 0x07C0;
# gdb's pc is linear with --gdb-realmode-linear): a caught #DE stops at its `div` with SIGFPE
# before the delivery and `continue` delivers it (the handler's count shows it ran once), and
# `stepi` over a `ud2` stops at the #UD handler's first instruction with the guest's own FLAGS
# in the frame (IP, CS, FLAGS on the stack at SS:SP); so does `stepi` over an `int 0x40` (its
# return address the one after it). The guest checks each handler ran once.
# guest: build/guest/realcatch.img
# args: --load-addr 0x7c00 --gdb-realmode-linear
# status: 1
# console: ^realcatch OK$
monitor break io 0x81 w
continue
monitor break delete all
monitor catch exception #de
continue
p/x $pc
monitor exception
monitor catch exception none
break *0x7c48
continue
delete
stepi
p/x $pc
p/x $cs
p/x *(unsigned short *)(0x7c00 + $sp)
p/x *(unsigned short *)(0x7c00 + $sp + 2)
p (*(unsigned short *)(0x7c00 + $sp + 4) & 0x100) == 0
monitor exception
break *0x7c60
continue
delete
stepi
p/x $pc
p/x *(unsigned short *)(0x7c00 + $sp)
p (*(unsigned short *)(0x7c00 + $sp + 4) & 0x100) == 0
continue
