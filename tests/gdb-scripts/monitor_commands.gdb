# monitor commands: help (with QEMU's info forms), status, sregs, translate, cpuid, rdmsr, gdt, idt,
# memmap, an unknown command.
# guest: build/guest/loop64.img
# symbols: build/guest/loop64.img
# status: 1
# console: ^loop64 OK$
break bump
continue
monitor help
monitor status
monitor sregs
monitor translate 0x100000
monitor cpuid 1
monitor rdmsr 0xc0000080
monitor gdt
monitor idt 4
monitor memmap
monitor watch-mode trap
monitor nosuchthing
delete
continue
