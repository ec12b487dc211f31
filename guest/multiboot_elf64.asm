; guest/multiboot_elf64.asm — guest/multiboot.asm in an ELF64 container: GRUB 2 and kvmstub
; boot a multiboot (v1) kernel from an ELF64 too, entered in 32-bit protected mode like any
; other (QEMU's -kernel refuses it).
; build: elf64
; link: 0x100000

%include "multiboot.asm"
