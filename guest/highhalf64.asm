; guest/highhalf64.asm — a 64-bit guest that builds its own page tables, maps the kernel-style
; address 0xffffffff80000000 to physical 0 (so the image at 1 MiB appears at
; 0xffffffff80100000) and continues there. gdb addresses: HIGH + the linked symbol.
; build: elf64
; link: 0x100000

bits 64
default rel
global _start, high_entry, high_loop, high_data, high_done

HIGH equ 0xffffffff80000000
PTE_P equ 1
PTE_W equ 2
PTE_PS equ 0x80

%include "lib64.inc"

section .text
_start:
        lea rsp, [stack_top]
        ; PML4[0] -> identity PDPT (first GiB in 2 MiB pages), PML4[511] -> high PDPT
        lea rax, [pdpt_low]
        or rax, PTE_P | PTE_W
        mov [pml4], rax
        lea rax, [pdpt_high]
        or rax, PTE_P | PTE_W
        mov [pml4 + 511 * 8], rax
        lea rax, [pd]
        or rax, PTE_P | PTE_W
        mov [pdpt_low], rax
        mov [pdpt_high + 510 * 8], rax  ; 0xffffffff80000000 -> the same PD
        xor ecx, ecx
.fill:  mov rax, rcx
        shl rax, 21
        or rax, PTE_P | PTE_W | PTE_PS
        mov [pd + rcx * 8], rax
        inc ecx
        cmp ecx, 512
        jne .fill
        lea rax, [pml4]
        mov cr3, rax
        mov rax, HIGH
        lea rbx, [high_entry]
        add rax, rbx
        jmp rax

high_entry:
        mov rax, HIGH
        add rsp, rax                    ; the stack, seen through the high mapping too
        xor ecx, ecx
high_loop:
        lea rdx, [rel high_data]        ; RIP-relative: a high address now
        add qword [rdx], rcx
        inc ecx
        cmp ecx, 4
        jne high_loop
        mov rdx, HIGH
        lea rbx, [high_data]
        cmp qword [rbx], 6              ; 0+1+2+3
        jne high_bad
high_done:
        PRINT msg_ok
        EXIT_PASS
high_bad:
        PRINT msg_bad
        EXIT_FAIL

section .rodata
msg_ok:  db "highhalf64 OK", 10, 0
msg_bad: db "highhalf64 FAILED", 10, 0

section .data
align 4096
high_data: dq 0

section .bss
align 4096
pml4:      resb 4096
pdpt_low:  resb 4096
pdpt_high: resb 4096
pd:        resb 4096
stack:     resb 4096
stack_top:
