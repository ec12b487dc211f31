# Stepping into exceptions exactly (issue 14.5): `stepi` over an instruction that raises a #DE,
# a #UD, a #GP or a #PF stops at its handler's first instruction, and the frame the CPU pushed
# holds the guest's own RFLAGS (without the trap flag of kvmstub's step, which would trap after
# the handler's IRETQ with nobody stepping). A caught #PF stops before its delivery instead, and
# the next stepi delivers it into the handler. The guest checks that each handler ran once.
# guest: build/guest/catch64.img
# symbols: build/guest/catch64.img
# status: 1
# console: ^catch64 OK$
monitor break io 0x81 w
continue
monitor break delete all
hbreak *de_insn
continue
delete
stepi
p $pc == (long)&de_handler
p *(long *)$sp == (long)&de_insn
p (*(long *)($sp + 16) & 0x100) == 0
monitor exception
stepi
p $pc == (long)&de_handler + 2
hbreak *ud_insn
continue
delete
stepi
p $pc == (long)&ud_handler
p (*(long *)($sp + 16) & 0x100) == 0
hbreak *gp_insn
continue
delete
stepi
p $pc == (long)&gp_handler
p *(long *)($sp + 8) == (long)&gp_insn
p (*(long *)($sp + 24) & 0x100) == 0
hbreak *pf_insn
continue
delete
monitor catch exception pf
stepi
p $pc == (long)&pf_insn
p ($eflags & 0x100) == 0
stepi
p $pc == (long)&pf_handler
p (*(long *)($sp + 24) & 0x100) == 0
monitor exception
monitor catch exception none
continue
