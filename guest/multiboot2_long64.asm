; guest/multiboot2_long64.asm — a multiboot2 kernel in an ELF64 container, as GRUB 2 boots
; them: entered in 32-bit protected mode (EAX = 0x36D76289, EBX = the boot information), it
; switches to long mode itself (guest/long_mode.inc) and runs its 64-bit loop, where gdb debugs
; it with the x86-64 layout (kvmstub's --gdb-arch auto: the image holds 64-bit code).
; build: elf64
; link: 0x100000

bits 32
global _start

MB2_MAGIC       equ 0xE85250D6
MB2_BOOT_MAGIC  equ 0x36D76289
MB2_HEADER_LEN  equ mb2_header_end - mb2_header

%include "lib32.inc"
%include "long_mode.inc"

section .text
align 8
mb2_header:
        dd MB2_MAGIC
        dd 0                            ; architecture: i386
        dd MB2_HEADER_LEN
        dd -(MB2_MAGIC + MB2_HEADER_LEN)
        dw 0, 0                         ; end tag
        dd 8
mb2_header_end:

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
