# gdb started with no file argument finds the guest by itself: kvmstub names the ELF image it
# booted (qXfer:exec-file) and gdb reads it over the connection (vFile): its symbols load, a
# breakpoint by name stops there, variables have their names. A file kvmstub did not boot
# cannot be fetched.
# guest: build/guest/smp64.img
# status: 1
# console: ^smp64 OK$
info symbol _start
break loop0
continue
p $pc == (long)&loop0
python
try:
    gdb.execute("remote get /etc/passwd /dev/null")
except gdb.error as e:
    print("refused: %s" % e)
end
set *(long *)&release = 1
delete
continue
