# The `make demo` session: gdb drives kvmstub's built-in demo guest (real mode, guest/demo.asm).
echo \n=== gdb connected: the guest waits at its first instruction (real mode, 16-bit)\n
show architecture
x/6i $pc
echo \n=== a breakpoint on the counting loop (out %ax,$0x10 at 0x8)\n
break *0x8
continue
info registers eax eip eflags cs
echo \n=== three single-steps\n
stepi
stepi
stepi
x/i $pc
info registers eax
echo \n=== continue twice more: the loop counts on port 0x10\n
continue
p $eax
continue
p $eax
echo \n=== memory: the greeting the guest printed, and a write into it\n
x/s 0x22
set {char}0x22 = 'J'
x/s 0x22
echo \n=== kvmstub's monitor: registers gdb does not show\n
monitor sregs
echo \n=== delete the breakpoint and let the guest finish\n
delete
continue
