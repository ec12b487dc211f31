# Reverse execution where it cannot be exact: with two vCPUs `monitor record on` and gdb's
# reverse-stepi and reverse-continue say why (gdb shows the stub's text), and nothing moved: the
# guest then ends normally.
# guest: build/guest/smp64.img
# args: --cpus 2
# symbols: build/guest/smp64.img
# status: 1
# console: ^smp64 OK$
break loop0
continue
delete
monitor record on
print $pc == (long)&loop0
reverse-stepi
print $pc == (long)&loop0
reverse-continue
print $pc == (long)&loop0
set var *(long *)&release = 1
continue
