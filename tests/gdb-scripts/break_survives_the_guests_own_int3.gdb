# A breakpoint that survives the guest's code writes (break_survives_guest_code_write) still
# does after the guest ran an INT3 of its own: selfmod64 with `own_int3` set takes its own #BP
# (its handler returns) before it copies new code over `target`, where gdb's breakpoint is.
# Where INT3 is emulated and fails (PVM), the guest's INT3 once made kvmstub lift the write
# protection of its breakpoints' pages as if a write had failed there, and the copy then took
# the breakpoint away: Linux's int3_selftest did so to `break do_basic_setup` (kaslr_kernel,
# ci58). The breakpoint stops at target, and the guest runs the new code.
# guest: build/guest/selfmod64.img
# symbols: build/guest/selfmod64.img
# status: 1
# console: ^selfmod64 OK$
set var *(char *)&own_int3 = 1
break *target
continue
p $pc == (long)&target
x/2bx target
continue
