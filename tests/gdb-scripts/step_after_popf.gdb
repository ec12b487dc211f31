# A step after POPF is one instruction. POPF loads RFLAGS itself, here without the trap flag:
# the CPU still traps after the stepped POPF, but the flag is then gone, and only a step that
# sets guest debug again at its own pc steps the next instruction (an earlier change skipped
# that after a step ended in the CPU's own #DB, 1be4ee3, taken back in 2c77e4d: its next step
# would have run free). No breakpoint is left while stepping, so gdb sends no z/Z between the
# steps (which would set guest debug again). IRETQ: step_after_iret.
# guest: build/guest/popf64.img
# symbols: build/guest/popf64.img
# status: 1
# console: ^popf64 OK$
break popf_at
continue
delete
stepi
p $pc == (long)&after_popf
p ($eflags & 0x100) == 0
stepi
p $pc == (long)&after_popf + 1
stepi
p $pc == (long)&after_popf + 2
continue
