; guest/protwrite64.asm — writes KVM's emulator cannot perform into a page that holds a
; breakpoint (issue 14.3's write protection): an x87 store (`fstp`) to `scratch`, and an
; interrupt frame pushed by `int 0x40` onto a stack inside that page. Each must still happen
; (kvmstub lifts the protection and lets the guest try again); the guest checks both, writes
; port 0x510 (a place for a port breakpoint to stop) and ends. `target` (the breakpoint's
; place) is never run.
; build: elf64
; link: 0x100000

bits 64
default rel
global _start, target, scratch, handled, after_port_write

%include "lib64.inc"

section .text progbits alloc exec nowrite align=4096
_start:
        lea rsp, [stack_top]
        mov edi, 0x40
        lea rsi, [int40]
        call install_idt_gate
        call load_idt
        fld1
        fstp qword [scratch]            ; an x87 store into the protected page
        lea rsp, [page_stack_top]       ; a stack inside the protected page
        int 0x40                        ; its frame goes there
        lea rsp, [stack_top]
        mov rax, 0x3ff0000000000000     ; 1.0
        cmp [scratch], rax
        jne bad
        cmp qword [handled], 1
        jne bad
        mov dx, 0x510
        out dx, al
after_port_write:
        PRINT msg_ok
        EXIT_PASS
bad:
        PRINT msg_bad
        EXIT_FAIL

int40:
        inc qword [handled]
        iretq

        align 4096
target:                                 ; the breakpoint's page: code, data and a stack
        ret
        align 64
scratch: dq 0
        align 2048
        times 64 dq 0
page_stack_top:

section .rodata
msg_ok:  db "protwrite64 OK", 10, 0
msg_bad: db "protwrite64 FAIL: a write to the protected page was lost", 10, 0

section .data
align 4096
handled: dq 0

section .bss
align 16
stack:  resb 4096
stack_top:
