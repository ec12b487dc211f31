; guest/triple64.asm — a 64-bit guest that triple-faults: it loads an empty IDT, so its UD2
; raises a #UD that has no handler, then a #DF that has none: the CPU shuts down.
; build: elf64
; link: 0x100000

bits 64
default rel
global _start, set_rax, fault

section .text
_start:
        lidt [idtr]
set_rax:
        mov rax, 0x1234abcd
fault:
        ud2
        mov al, 0
        out 0xf4, al

section .data
idtr:   dw 0
        dq 0
