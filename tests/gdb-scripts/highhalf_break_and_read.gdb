# A 64-bit guest running at 0xffffffff80000000 through its own page tables: a breakpoint
# there set before the mapping exists (backed by a debug register), then an INT3 one once it
# is mapped, reads through the guest's page tables, and `monitor translate` shows the walk.
# guest: build/guest/highhalf64.img
# symbols: build/guest/highhalf64.img
# status: 1
# console: ^highhalf64 OK$
set $high = 0xffffffff80000000
break *($high + (long)&high_loop)
continue
p/x $pc
x/2i $pc
p *(long *)($high + (long)&high_data)
delete 1
break *($high + (long)&high_done)
monitor breakpoints
continue
p *(long *)($high + (long)&high_data)
monitor translate 0xffffffff80100000
delete
continue
