; guest/spin64.asm — spins until a debugger sets `release` to 1 (for Ctrl-C, detach and kill
; tests); then prints and passes. It prints "spinning" first, so a test knows it runs.
; build: elf64
; link: 0x100000

bits 64
default rel
global _start, spin, release, spins

%include "lib64.inc"

section .text
_start:
        lea rsp, [stack_top]
        PRINT msg_spin
spin:
        inc qword [spins]
        cmp qword [release], 0
        je spin
        PRINT msg_done
        EXIT_PASS

section .rodata
msg_spin: db "spinning", 10, 0
msg_done: db "released", 10, 0

section .data
align 4096
release: dq 0
spins:   dq 0

section .bss
align 16
stack:  resb 4096
stack_top:
