# Exception catchpoints (`monitor catch exception`, issue 14.1) in a 64-bit guest that raises a
# #DE, a #UD, a #GP and a #PF and handles each itself: caught before the IDT exists, the
# handlers are found at the next resume; each stop shows the faulting instruction with gdb's
# signal (SIGFPE, SIGILL, SIGSEGV), `monitor exception` gives vector, error code, CR2 and
# handler, reads of a handler never show kvmstub's breakpoint, and `continue` delivers every
# exception exactly once (the guest checks its handlers' counts and passes).
# guest: build/guest/catch64.img
# symbols: build/guest/catch64.img
# status: 1
# console: ^catch64 OK$
monitor catch
monitor catch exception bogus
monitor catch exception nmi
monitor catch exception 0 #ud GP 0xe
monitor break io 0x81 w
continue
p $pc > (long)&idt_ready
monitor break delete all
continue
p $pc == (long)&de_insn
x/i $pc
monitor exception
monitor catch
x/2bx de_handler
continue
p $pc == (long)&ud_insn
monitor exception
continue
p $pc == (long)&gp_insn
monitor exception
continue
p $pc == (long)&pf_insn
monitor exception
monitor catch exception none
monitor catch
continue
