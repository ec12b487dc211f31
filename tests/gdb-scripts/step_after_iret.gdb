# A step over IRETQ stops at its target, and the next step is one instruction: IRETQ loads
# RFLAGS from its frame, here without the trap flag (as step_after_popf for POPF). Where guest
# code runs natively (the hardware-host lane). On PVM a step over a guest kernel's IRETQ runs
# one instruction past its target (measured 2026-12-07: from iret_at the step stopped at
# after_iret + 1): PVM emulates the IRET and loses the trap after it; kvmstub does not make up
# for that yet (it would need a breakpoint at the target read from the frame), so the test
# needs native code.
# needs: native-code
# native-why: on PVM a step over IRETQ runs one instruction past its target
# guest: build/guest/popf64.img
# symbols: build/guest/popf64.img
# status: 1
# console: ^popf64 OK$
break iret_at
continue
delete
stepi
p $pc == (long)&after_iret
p ($eflags & 0x100) == 0
stepi
p $pc == (long)&after_iret + 1
stepi
p $pc == (long)&after_iret + 2
continue
