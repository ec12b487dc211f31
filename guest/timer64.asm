; guest/timer64.asm — a 64-bit guest with a fast periodic LAPIC timer (run with --irqchip).
; While it runs main_loop, a timer interrupt is pending almost all the time, so single-steps
; must not land in timer_handler (kvmstub steps with KVM_GUESTDBG_BLOCKIRQ). It passes once
; the handler has run TICKS times.
; build: elf64
; link: 0x100000

bits 64
default rel
global _start, main_loop, main_loop_end, timer_handler, ticks, work

LAPIC          equ 0xFEE00000
LAPIC_EOI      equ 0xB0             ; register offsets
LAPIC_SVR      equ 0xF0
LAPIC_LVT_TIMER equ 0x320
LAPIC_TIMER_INIT equ 0x380
LAPIC_TIMER_DIV equ 0x3E0
TIMER_VECTOR   equ 0x40
TIMER_PERIODIC equ 1 << 17
TICKS          equ 20

%include "lib64.inc"

section .text
_start:
        lea rsp, [stack_top]
        call load_idt
        mov edi, TIMER_VECTOR
        lea rsi, [timer_handler]
        call install_idt_gate
        mov rdi, LAPIC
        mov dword [rdi + LAPIC_SVR], 0x1FF      ; software-enable the LAPIC, spurious 0xFF
        mov dword [rdi + LAPIC_TIMER_DIV], 0xB  ; divide by 1
        mov dword [rdi + LAPIC_LVT_TIMER], TIMER_VECTOR | TIMER_PERIODIC
        mov dword [rdi + LAPIC_TIMER_INIT], 20000 ; 20 us at KVM's 1 GHz APIC bus
        sti
main_loop:
        inc qword [work]
        mov rax, [work]
        add rax, 3
        xor rax, 1
        cmp qword [ticks], TICKS
        jb main_loop
main_loop_end:
        cli
        mov dword [rdi + LAPIC_LVT_TIMER], 1 << 16 ; mask the timer
        PRINT msg_ok
        EXIT_PASS

timer_handler:
        push rdi
        inc qword [ticks]
        mov rdi, LAPIC
        mov dword [rdi + LAPIC_EOI], 0
        pop rdi
        iretq

section .rodata
msg_ok: db "timer64 OK", 10, 0

section .data
align 4096
ticks: dq 0
work:  dq 0

section .bss
align 16
stack:  resb 4096
stack_top:
