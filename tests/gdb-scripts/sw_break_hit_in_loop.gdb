# A software breakpoint in a loop is hit every time round (gdb steps over it each time).
# guest: build/guest/loop64.img
# symbols: build/guest/loop64.img
# status: 1
# console: ^loop64 OK$
break bump
continue
p $rcx
continue
p $rcx
continue
p $rcx
continue
p $rcx
continue
p $rcx
info breakpoints
delete
continue
