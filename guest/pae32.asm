; guest/pae32.asm — a 32-bit guest with PAE paging: the first 4 MiB identity-mapped in 2 MiB
; pages, and 0xC0000000 mapped to physical 0 in 4 KiB pages (first 2 MiB) so the image at
; 1 MiB appears at 0xC0100000, where it continues.
; build: elf32
; link: 0x100000

bits 32
global _start, enable_paging, pae_high, pae_loop, pae_data

HIGH equ 0xC0000000
PTE_P equ 1
PTE_W equ 2
PTE_PS equ 0x80
CR4_PAE equ 1 << 5

%include "lib32.inc"

section .text
_start:
        mov esp, stack_top
        mov dword [pdpt], pd_low + PTE_P
        mov dword [pdpt + 3 * 8], pd_high + PTE_P
        mov dword [pd_low], 0x000000 | PTE_P | PTE_W | PTE_PS
        mov dword [pd_low + 8], 0x200000 | PTE_P | PTE_W | PTE_PS
        mov dword [pd_high], pt_high + PTE_P + PTE_W
        xor ecx, ecx
.fill:  mov eax, ecx
        shl eax, 12
        or eax, PTE_P | PTE_W
        mov [pt_high + ecx * 8], eax
        inc ecx
        cmp ecx, 512
        jne .fill
        mov eax, cr4
        or eax, CR4_PAE
        mov cr4, eax
        mov eax, pdpt
        mov cr3, eax
        mov eax, cr0
        or eax, 1 << 31
enable_paging:
        mov cr0, eax
        jmp pae_high + HIGH

pae_high:
        xor ecx, ecx
pae_loop:
        add [pae_data + HIGH], ecx
        inc ecx
        cmp ecx, 4
        jne pae_loop
        cmp dword [pae_data], 6
        jne .bad
        PRINT msg_ok
        EXIT_PASS
.bad:   EXIT_FAIL

section .data
msg_ok:   db "pae32 OK", 10, 0
align 4096
pae_data: dd 0

section .bss
align 4096
pdpt:    resb 4096
pd_low:  resb 4096
pd_high: resb 4096
pt_high: resb 4096
stack:   resb 4096
stack_top:
