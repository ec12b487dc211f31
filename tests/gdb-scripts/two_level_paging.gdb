# A 2-level (non-PAE 32-bit) paging guest: a 4 MiB PSE page and 4 KiB pages at 0xC0000000,
# read through kvmstub's 32-bit walk. As for PAE, this host cannot run 32-bit paging, so gdb
# looks at memory as the guest's tables map it (`monitor paging 32bit`).
# guest: build/guest/paging32.img
# symbols: build/guest/paging32.img
break enable_paging
continue
monitor paging 32bit
monitor translate 0xC0100000
monitor translate 0x00123456
x/3i 0xC0000000 + (long)&p32_loop
p *(int *)(0xC0000000 + (long)&msg_ok)
python
try:
    gdb.execute("x/wx 0x00800000")
except gdb.error as e:
    print(e)
end
kill
