# Port and MSR breakpoints (`monitor break io|msr`, issue 14.4) with two vCPUs: CPU 0 stops
# after its port write, port read, WRMSR and RDMSR (the pc past each, `monitor exception` naming
# port or MSR, direction and value), while CPU 1 writes another port the whole time without
# stopping anyone; then a breakpoint on CPU 1's port stops CPU 1; deleted breakpoints stop
# nothing, bad requests are refused, and the guest's own MSR write and read are what it sees.
# guest: build/guest/access64.img
# symbols: build/guest/access64.img
# args: --cpus 2
# status: 1
# console: ^access64 OK$
monitor exception
monitor break
monitor break io 0x510 w
monitor break io 0x511-0x512 r
monitor break msr 0x174 rw
monitor break io 0x10000
monitor break io 0x20-0x10
monitor break msr 0x174 x
monitor break port 1
monitor break
continue
p $pc == (long)&after_port_write
monitor exception
continue
p $pc == (long)&after_port_read
p/x $al
monitor exception
continue
p $pc == (long)&after_wrmsr
monitor exception
continue
p $pc == (long)&after_rdmsr
p/x $rax
monitor exception
monitor rdmsr 0x174
monitor break delete 2
monitor break delete 2
monitor break delete all
monitor break io 0x520 w
continue
thread
monitor exception
monitor break delete all
monitor break
set var *(long *)&go = 1
continue
