; guest/selfmod64.asm — writes new code over the page that holds a breakpoint (issue 14.3): it
; copies `patch` over `target`, the first bytes of a code page of their own, keeps the byte it
; then reads at target in `seen`, writes it to port 0x510 (a place for a port breakpoint to
; stop), and calls target. The new code returns 42; the old code (0), or a mix of old and new
; bytes, fails. The first bytes of old and new code differ, so an INT3 whose saved byte missed
; the write puts back the wrong one. With --cpus 2, CPU 1 meanwhile keeps writing a counter in
; the same page (`scribble`), so writes of both vCPUs reach that page at once; a debugger that
; sets `await_scribble` makes CPU 0 wait for CPU 1's first write before it copies; one that sets
; `own_int3` makes CPU 0 first run an INT3 of its own (its #BP handler returns at once).
; build: elf64
; link: 0x100000

bits 64
default rel
global _start, target, patch, seen, after_port_write, scribble, await_scribble, own_int3, rep_copy

%include "lib64.inc"

section .text progbits alloc exec nowrite align=4096
_start:
        CPU_NUMBER
        test ebx, ebx
        jnz scribbler
        lea rsp, [stack_top]
        cmp byte [own_int3], 0          ; set by a debugger: an INT3 of the guest's own first
        je .no_int3
        call load_idt
        mov edi, 3
        lea rsi, [bp_handler]
        call install_idt_gate
        int3
.no_int3:
        cmp byte [await_scribble], 0    ; set by a debugger that runs it with --cpus 2:
        je .copy                        ; copy only once CPU 1 writes in target's page
.wait:  cmp qword [scribble], 0
        je .wait
.copy:  lea rsi, [patch]
        lea rdi, [target]
        mov ecx, patch_end - patch
rep_copy:
        rep movsb
        mov al, [target]
        mov [seen], al
        mov dx, 0x510
        out dx, al
after_port_write:
        call target
        cmp eax, 42
        jne .bad
        PRINT msg_ok
        EXIT_PASS
.bad:
        PRINT msg_bad
        EXIT_FAIL

bp_handler:                             ; the guest's own #BP: back after the INT3
        iretq

scribbler:                              ; CPU 1..: write beside target until the end
        inc qword [scribble]
        jmp scribbler

patch:                                  ; the new code, copied over target
        mov eax, 42
        ret
patch_end:

        align 4096
target:                                 ; the old code, in a page of its own: never run
        xor eax, eax
        ret
        times 64 int3                   ; room for the new code
        align 2048
scribble: dq 0                          ; CPU 1's counter, in target's page

section .rodata
msg_ok:  db "selfmod64 OK", 10, 0
msg_bad: db "selfmod64 FAIL: target did not return the new code's 42", 10, 0

section .data
align 4096
seen:   db 0
await_scribble: db 0
own_int3: db 0

section .bss
align 16
stack:  resb 4096
stack_top:
