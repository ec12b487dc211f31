; guest/prot32.asm — an ELF32 guest: kvmstub enters it in 32-bit protected mode with flat
; segments and paging off. It checks that, prints a line and reports through the exit port.
; build: elf32
; link: 0x100000

bits 32
global _start

%include "lib32.inc"

section .text
_start:
        mov eax, cr0
        test eax, 1                     ; PE set
        jz fail
        test eax, 0x80000000            ; PG clear
        jnz fail
        mov eax, [bss_word]             ; the loader zeroed the bss
        test eax, eax
        jnz fail
        mov dword [data_word], 0x12345678
        cmp dword [data_word], 0x12345678
        jne fail
        PRINT ok
        EXIT_PASS
fail:
        PRINT bad
        EXIT_FAIL

section .data
ok:  db "32-bit protected mode OK", 10, 0
bad: db "32-bit protected mode FAILED", 10, 0
data_word: dd 0

section .bss
bss_word: resd 1
