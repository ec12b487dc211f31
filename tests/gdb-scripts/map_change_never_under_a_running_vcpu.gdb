# The memory map changes only while every other vCPU is parked: CPU 0 runs code in the page of
# a watched variable (each instruction is stepped with the page mapped back for a moment) while
# CPU 1 checks its own RAM all the time, a word in that page among it. A map change under a
# running CPU 1 shows up as a lost write, a read of all ones, or a failed fetch (SIGBUS, SIGILL,
# or the guest's exit with 3). The watchpoint is a memory trap on every host (`watch-mode
# trap`): where debug registers work, `auto` would take one and the map would never change.
# guest: build/guest/maprace64.img
# args: --cpus 2
# symbols: build/guest/maprace64.img
# status: 1
set var *(char *)&shared = 1
monitor watch-mode trap
watch *(long *)&watched
continue
