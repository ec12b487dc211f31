# The state before a triple fault, through reverse execution (issue 14.2): recorded from the
# start, the guest's UD2 with an empty IDT shuts the CPU down (SIGSEGV; kvm_amd shows the reset
# state there), and reverse-stepi goes to the instruction that began the fault chain with the
# registers it had, reverse-stepi once more to the one before; stepping forwards faults again
# and continuing ends the guest as a triple fault does (status 6).
# guest: build/guest/triple64.img
# symbols: build/guest/triple64.img
# status: 6
monitor record on
continue
reverse-stepi
p $pc == (long)&fault
p/x $rax
x/i $pc
reverse-stepi
p $pc == (long)&set_rax
stepi
stepi
continue
