# Six breakpoints in a higher-half kernel set before it maps its own addresses (issue 14.3):
# kvmstub finds their physical pages from the ELF's load addresses, so beyond the four debug
# registers (and where those do not fire at all) the rest are exec traps there; each is hit,
# in order, once the kernel runs at its linked addresses, and the kernel ends normally.
# guest: build/guest/prepaging64.img
# symbols: build/guest/prepaging64.img
# status: 1
# console: ^prepaging64 OK$
set breakpoint always-inserted on
break stage1
break stage2
break stage3
break stage4
break stage5
break stage6
continue
monitor breakpoints
continue
continue
continue
continue
continue
p *(long *)&count
delete
continue
