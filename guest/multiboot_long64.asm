; guest/multiboot_long64.asm — the common hobby-kernel pattern in its usual container: a
; multiboot (v1) ELF32 kernel that switches to long mode itself (guest/long_mode.inc). Nothing
; in an ELF32 says it holds 64-bit code, so gdb gets the i386 layout when it connects in 32-bit
; code, and kvmstub says once, when the guest is stopped in long mode, how to get x86-64.
; build: elf32
; link: 0x100000

bits 32
global _start

%include "lib32.inc"
%include "multiboot.inc"
%include "long_mode.inc"

section .text
_start:
        mov esp, stack_top
        cmp eax, MB_BOOT_MAGIC
        jne fail
        ENTER_LONG_MODE
fail:
        PRINT msg_bad
        EXIT_FAIL

section .data
lm_msg_ok: db "multiboot long mode OK", 10, 0
msg_bad:   db "multiboot long mode FAILED", 10, 0

section .bss
alignb 16
stack: resb 4096
stack_top:
