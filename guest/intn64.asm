; guest/intn64.asm — a software interrupt (INT 0x80) and a SYSCALL, each to a handler that
; returns at once (IRETQ; SYSCALL's entry loads RFLAGS from R11 and jumps back to RCX), and a
; #DB handler that fails the guest. A debugger's step over either instruction must leave no
; trap flag of its own in what the handler returns with (the frame's RFLAGS, R11): the guest
; would take a #DB after the return. Ends through the exit port: 1 (pass) when each handler ran
; once.
; With --cpus 2, CPU 1 runs `int 0x81` in a loop (counting in cpu1_ints) all the while; a
; debugger that sets want_cpu1 makes CPU 0 wait for CPU 1's first one before its own INT n.
; build: elf64
; link: 0x100000

bits 64
default rel
global _start, int_at, after_int, int_handler, syscall_at, after_syscall, syscall_entry, done
global want_cpu1, cpu1_ints, cpu1_loop, cpu1_end

%include "lib64.inc"

MSR_EFER  equ 0xc0000080
MSR_STAR  equ 0xc0000081
MSR_LSTAR equ 0xc0000082
MSR_FMASK equ 0xc0000084
EFER_SCE  equ 1
RFLAGS_TF_IF equ 0x300
CODE64    equ 0x20                      ; kvmstub's 64-bit code selector
DATA      equ 0x18                      ; its data selector

section .text
_start:
        CPU_NUMBER
        test ebx, ebx
        jnz cpu1
        lea rsp, [stack_top]
        call load_idt
        mov edi, 1
        lea rsi, [db_handler]
        call install_idt_gate
        mov edi, 0x80
        lea rsi, [int_handler]
        call install_idt_gate
        mov edi, 0x81
        lea rsi, [cpu1_handler]
        call install_idt_gate
        mov byte [idt_ready], 1
        mov ecx, MSR_EFER
        rdmsr
        or eax, EFER_SCE
        wrmsr
        mov ecx, MSR_STAR
        xor eax, eax
        mov edx, CODE64                 ; SYSCALL's CS (its SS: CODE64 + 8)
        wrmsr
        mov ecx, MSR_LSTAR
        lea rax, [syscall_entry]
        mov rdx, rax
        shr rdx, 32
        wrmsr
        mov ecx, MSR_FMASK
        mov eax, RFLAGS_TF_IF
        xor edx, edx
        wrmsr
        cmp byte [want_cpu1], 0
        je int_at
.wait:  pause
        cmp qword [cpu1_ints], 0
        je .wait
int_at:
        int 0x80
after_int:
        nop
        nop
syscall_at:
        syscall
after_syscall:
        nop
        nop
        xor ecx, ecx
.loop:  inc ecx                         ; a #DB after a return would come here
        cmp ecx, 100000
        jne .loop
done:
        cmp dword [int_count], 1
        jne .fail
        cmp dword [syscall_count], 1
        jne .fail
        PRINT msg_ok
        EXIT_PASS
.fail:
        EXIT_FAIL

int_handler:
        inc dword [int_count]
        iretq

syscall_entry:
        inc dword [syscall_count]
        mov eax, DATA                   ; the stack segment as before (SYSCALL loaded CODE64 + 8)
        mov ss, ax
        push r11
        popfq
        jmp rcx

db_handler:
        PRINT msg_db
        EXIT_FAIL

; CPU 1's code has a page of its own: on a host where breakpoints are exec traps (their page
; leaves the memory map), CPU 0's breakpoints do not make each of its fetches exit.
section .cpu1 progbits alloc exec nowrite align=4096
cpu1:
        lea rsp, [stack1_top]
.ready: pause
        cmp byte [idt_ready], 0
        je .ready
        call load_idt
cpu1_loop:
        int 0x81
        jmp cpu1_loop
cpu1_handler:
        lock inc qword [cpu1_ints]
        iretq
cpu1_end:
        align 4096

section .rodata
msg_ok: db "intn64 OK", 10, 0
msg_db: db "intn64: unexpected #DB", 10, 0

section .data
int_count:     dd 0
syscall_count: dd 0
want_cpu1:     db 0
idt_ready:     db 0
align 8
cpu1_ints:     dq 0

section .bss
align 16
stack:  resb 4096
stack_top:
stack1: resb 4096
stack1_top:
