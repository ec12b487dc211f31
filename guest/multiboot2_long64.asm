; guest/multiboot2_long64.asm — a multiboot2 kernel in an ELF64 container, as GRUB 2 boots
; them: entered in 32-bit protected mode (EAX = 0x36D76289, EBX = the boot information), it
; switches to long mode itself (guest/long_mode.inc) and runs its 64-bit loop, where gdb debugs
; it with the x86-64 layout (kvmstub's --gdb-arch auto: the image holds 64-bit code).
; build: elf64
; link: 0x100000

bits 32
global _start

%include "lib32.inc"
%include "multiboot2.inc"
%include "long_mode.inc"

MB2_HEADER_BEGIN
MB2_HEADER_END

_start:
        mov esp, stack_top
        cmp eax, MB2_BOOT_MAGIC
        jne fail
        test ebx, 7                     ; the boot information is 8-byte aligned
        jnz fail
        PRINT msg_32
        ENTER_LONG_MODE
fail:
        PRINT msg_bad
        EXIT_FAIL

section .data
msg_32:    db "multiboot2: 32-bit entry", 10, 0
lm_msg_ok: db "multiboot2 long mode OK", 10, 0
msg_bad:   db "multiboot2 long mode FAILED", 10, 0

section .bss
alignb 16
stack: resb 4096
stack_top:
