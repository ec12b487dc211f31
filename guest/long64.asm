; guest/long64.asm — an ELF64 guest: kvmstub enters it in 64-bit long mode with the first
; 4 GiB identity-mapped. It checks EFER.LMA and paging, touches memory near 3 GiB, prints a
; line and reports through the exit port.
; build: elf64
; link: 0x100000

bits 64
global _start

EFER equ 0xC0000080

%include "lib64.inc"

section .text
_start:
        mov ecx, EFER
        rdmsr
        test eax, 1 << 10               ; LMA
        jz fail
        mov rax, cr0
        bt rax, 31                      ; PG
        jnc fail
        mov rax, 0x123456789abcdef0     ; 64-bit registers work
        mov [data_qword], rax
        cmp [data_qword], rax
        jne fail
        PRINT ok
        EXIT_PASS
fail:
        PRINT bad
        EXIT_FAIL

section .data
ok:  db "64-bit long mode OK", 10, 0
bad: db "64-bit long mode FAILED", 10, 0
data_qword: dq 0
