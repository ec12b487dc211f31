# info threads names each vCPU and says its mode and state (qXfer:threads:read): both CPUs
# stopped in long mode at the first stop; once CPU 1 halts for good (cli; hlt), it says so.
# guest: build/guest/smp64.img
# args: --cpus 2
# symbols: build/guest/smp64.img
# status: 1
# console: ^smp64 OK$
break loop0
continue
python
# Where CPU 1 is slow to start (the emulated hardware host steps exec-trapped code), go on to
# loop0 again until CPU 1 spins in loop1 too (bounded), as all_stop_two_vcpus does.
for i in range(50):
    gdb.execute("thread 2", to_string=True)
    in_loop1 = "loop1" in gdb.execute("info symbol $pc", to_string=True)
    gdb.execute("thread 1", to_string=True)
    if in_loop1:
        break
    gdb.execute("continue", to_string=True)
end
delete
info threads
set *(long *)&release = 1
set scheduler-locking on
thread 2
continue
info threads
set scheduler-locking off
thread 1
continue
