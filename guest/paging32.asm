; guest/paging32.asm — a 32-bit guest with classic 2-level paging: a 4 MiB PSE page maps the
; first 4 MiB identically, and 0xC0000000 is mapped to physical 0 with a 4 KiB page table, so
; the image at 1 MiB appears at 0xC0100000, where it continues.
; build: elf32
; link: 0x100000

bits 32
global _start, enable_paging, p32_high, p32_loop, p32_data

HIGH equ 0xC0000000
PTE_P equ 1
PTE_W equ 2
PTE_PS equ 0x80
CR4_PSE equ 1 << 4

%include "lib32.inc"

section .text
_start:
        mov esp, stack_top
        mov dword [pd], 0 | PTE_P | PTE_W | PTE_PS          ; 4 MiB identity
        mov dword [pd + 0x300 * 4], pt + PTE_P + PTE_W      ; 0xC0000000 -> page table
        xor ecx, ecx
.fill:  mov eax, ecx
        shl eax, 12
        or eax, PTE_P | PTE_W
        mov [pt + ecx * 4], eax
        inc ecx
        cmp ecx, 1024
        jne .fill
        mov eax, cr4
        or eax, CR4_PSE
        mov cr4, eax
        mov eax, pd
        mov cr3, eax
        mov eax, cr0
        or eax, 1 << 31
enable_paging:
        mov cr0, eax
        jmp p32_high + HIGH

p32_high:
        xor ecx, ecx
p32_loop:
        add [p32_data + HIGH], ecx
        inc ecx
        cmp ecx, 4
        jne p32_loop
        cmp dword [p32_data], 6
        jne .bad
        PRINT msg_ok
        EXIT_PASS
.bad:   EXIT_FAIL

section .data
msg_ok:   db "paging32 OK", 10, 0
align 4096
p32_data: dd 0

section .bss
align 4096
pd:     resb 4096
pt:     resb 4096
stack:  resb 4096
stack_top:
