; guest/prepaging64.asm — a higher-half 64-bit kernel: linked at 0xffffffff80100000, loaded at
; 1 MiB, entered at its physical entry (kvmstub's identity map), where it adds a mapping of its
; own addresses (PML4[511] -> 0xffffffff80000000 = physical 0) and jumps there. Six stages, a
; page each, run once in order. gdb's breakpoints on them are set before the mapping exists.
; build: elf64
; link: 0xffffffff80100000
; load: 0x100000

bits 64
default rel
global _start, high_start, stage1, stage2, stage3, stage4, stage5, stage6, count

PTE_P  equ 1
PTE_W  equ 2
PTE_PS equ 0x80

%include "lib64.inc"

section .text
_start:
        ; Still at the physical address: RIP-relative addresses are physical here.
        lea rsp, [stack_top]
        mov rdi, cr3
        and rdi, ~0xfff
        lea rax, [pdpt_high]
        or rax, PTE_P | PTE_W
        mov [rdi + 511 * 8], rax        ; PML4[511] -> pdpt_high
        lea rax, [pd_high]
        or rax, PTE_P | PTE_W
        mov [pdpt_high + 510 * 8], rax  ; 0xffffffff80000000 -> pd_high
        lea rdx, [pd_high]              ; (an index register rules out a RIP-relative address)
        xor ecx, ecx
.fill:  mov rax, rcx
        shl rax, 21
        or rax, PTE_P | PTE_W | PTE_PS
        mov [rdx + rcx * 8], rax        ; 2 MiB pages from physical 0
        inc ecx
        cmp ecx, 512
        jne .fill
        mov cr3, rdi
        mov rax, high_start             ; the linked (high) address
        jmp rax

high_start:
        lea rsp, [stack_top]            ; the same stack, through its high address
        call stage1
        call stage2
        call stage3
        call stage4
        call stage5
        call stage6
        cmp qword [count], 6
        jne .bad
        PRINT msg_ok
        EXIT_PASS
.bad:   PRINT msg_bad
        EXIT_FAIL

%macro STAGE 1
align 4096
stage%1:
        inc qword [count]
        ret
%endmacro
STAGE 1
STAGE 2
STAGE 3
STAGE 4
STAGE 5
STAGE 6

section .rodata
msg_ok:  db "prepaging64 OK", 10, 0
msg_bad: db "prepaging64 FAILED", 10, 0

section .data
align 8
count:  dq 0

section .bss
align 4096
pdpt_high: resb 4096
pd_high:   resb 4096
stack:     resb 8192
stack_top:
