; guest/samepage64.asm — code and the data it writes in the same page, as in many small
; programs: a watchpoint on `tally` traps the page its code runs from.
; build: elf64
; link: 0x100000

bits 64
default rel
global _start, tally_loop, tally

section .text
_start:
        xor ecx, ecx
tally_loop:
        add [tally], rcx
        inc ecx
        cmp ecx, 5
        jne tally_loop
        cmp qword [tally], 10           ; 0+1+2+3+4
        jne .bad
        mov al, 0
        out 0xf4, al
.bad:   mov al, 1
        out 0xf4, al
align 8
tally:  dq 0
