# An access watchpoint over a 16-byte range (more than one debug register could cover): every
# byte fill_buffer writes stops, with the old and new contents.
# guest: build/guest/loop64.img
# symbols: build/guest/loop64.img
# status: 1
# console: ^loop64 OK$
awatch *(unsigned char (*)[16])&buffer
continue
continue
continue
p $rax
delete
monitor breakpoints
continue
