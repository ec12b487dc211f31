# Registers in real mode: the i8086 layout, read and write reaching the vCPU.
# guest: demo
# status: 0
# console: ^Demo guest done
info registers eip cs
stepi
p/x $esi
set $eax = 0x1234
p/x $eax
stepi
p/x $eax
p/x $cs
continue
