# x/i in 16-bit code: gdb must decode real-mode instructions (QEMU forces 64-bit here).
# guest: demo
show architecture
x/5i $pc
kill
