# step_after_an_emulated_access with CPU 1 running all the while (all-stop resumes every vCPU)
# and accessing the trapped page itself. `watch-mode trap` on hot_sum puts its page out of the
# map, which holds wvar (each of wline's 20 adds is emulated) and spin (where CPU 1 counts).
# The stepi after the last add reaches a `mov rsi, imm64` that makes no access: had it run
# free, it would run on into pfline's #PF, which ends the guest (status 3). A vCPU whose step
# runs on its own thread got guest debug re-applied around the access even before the fix of
# step_after_an_emulated_access (this test passed there too): it guards that path.
# guest: build/guest/lines64.img
# symbols: build/guest/lines64.img
# args: --cpus 2
# status: 1
# console: ^lines64 OK$
break *(after_wline - 4)
continue
delete
set breakpoint always-inserted on
monitor watch-mode trap
watch *(long *)&hot_sum
stepi
p $pc
stepi
p $pc
p *(long *)&wvar
delete
set var $pc = after_pfline
continue
