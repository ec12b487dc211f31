# step_into_int_n_and_syscall with CPU 1 running all the while (gdb's stepi resumes every vCPU:
# vCont;s:1;c) and taking software interrupts of its own: `int 0x81` in a loop, which PVM's
# emulator refuses (kvmstub delivers each in software, on CPU 1's thread) and a hardware host
# runs natively. The guest's CPU 0 waits for CPU 1's first `int 0x81` before its own INT n
# (want_cpu1). kvmstub's own step of CPU 0's INT n and SYSCALL touches CPU 0's state alone:
# the stops are CPU 0's, where a CPU steps to, with CPU 1 in its loop.
# guest: build/guest/intn64.img
# symbols: build/guest/intn64.img
# args: --cpus 2
# status: 1
# console: ^intn64 OK$
set var *(char *)&want_cpu1 = 1
break int_at
continue
delete
p *(long *)&cpu1_ints > 0
stepi
p $_thread == 1
p $pc == (long)&int_handler
p *(long *)$sp == (long)&after_int
p (*(long *)($sp + 16) & 0x100) == 0
thread 2
p $pc >= (long)&cpu1_loop && $pc < (long)&cpu1_end
thread 1
stepi
p $pc == (long)&int_handler + 6
break syscall_at
continue
delete
stepi
p $_thread == 1
p $pc == (long)&syscall_entry
p $rcx == (long)&after_syscall
p ($r11 & 0x100) == 0
p $cs == 0x20 && $ss == 0x28
continue
