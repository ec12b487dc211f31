# info threads names each vCPU and says its mode and state (qXfer:threads:read): both CPUs
# stopped in long mode at the first stop; once CPU 1 halts for good (cli; hlt), it says so.
# guest: build/guest/smp64.img
# args: --cpus 2
# symbols: build/guest/smp64.img
# status: 1
# console: ^smp64 OK$
break loop0
continue
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
