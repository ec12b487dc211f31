; guest/prot32.asm — an ELF32 guest: kvmstub enters it in 32-bit protected mode with flat
; segments and paging off. It checks that, prints a line and reports through the exit port.
; build: elf32
; link: 0x100000

bits 32
global _start

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
        mov esi, ok
        call print
        mov al, 0
        out 0xf4, al
fail:
        mov esi, bad
        call print
        mov al, 1
        out 0xf4, al

print:
        lodsb
        test al, al
        jz .done
        out 0xe9, al
        jmp print
.done:  ret

section .data
ok:  db "32-bit protected mode OK", 10, 0
bad: db "32-bit protected mode FAILED", 10, 0
data_word: dd 0

section .bss
bss_word: resd 1
