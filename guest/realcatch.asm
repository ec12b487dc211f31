; guest/realcatch.asm — a real-mode guest run from 0x7C00 (kvmstub --load-addr 0x7c00, entered
; at 0000:7C00 as a BIOS enters a boot sector) that far-jumps to CS 0x07C0, fills two IVT
; entries itself and raises a #DE (div by zero) and a #UD (ud2), delivered through the IVT,
; then makes a software interrupt (int 0x40). Each handler counts its vector and returns past
; the 2-byte instruction (INT's pushes that return address itself); the guest passes when each
; ran exactly once. The handlers live in a page of their own (linear 0x8000), begin
; with a port write, and each return point is a port write too: exits that end a step there.
; They were put there when the hardware-host lane was thought to lose a single-step after a
; trapped fetch; measured on 2026-12-07, it does not (DESIGN.md §7).
; Fixed offsets for gdb (linear 0x7C00 + offset): de_insn 0x40, ud_insn 0x48, int_insn 0x60;
; handlers at linear 0x8000 (#DE), 0x8010 (#UD) and 0x8020 (INT 0x40).
; build: bin

bits 16
org 0                                   ; offsets in segment BOOT_SEG

BOOT_SEG        equ 0x07C0
DE_OFF          equ 0x40
UD_OFF          equ 0x48
INT_OFF         equ 0x60
INT_VECTOR      equ 0x40
HANDLERS_OFF    equ 0x400               ; linear 0x8000
UD_HANDLER_OFF  equ 0x410
INT_HANDLER_OFF equ 0x420

start:
        jmp BOOT_SEG:main               ; 0000:7C00 -> 07C0:main
main:
        cli
        mov ax, cs
        mov ds, ax
        mov ss, ax
        mov sp, 0x2000                  ; 0x9C00 linear, a page of its own
        xor ax, ax
        mov es, ax
        mov word [es:0 * 4], de_handler
        mov word [es:0 * 4 + 2], BOOT_SEG
        mov word [es:6 * 4], ud_handler
        mov word [es:6 * 4 + 2], BOOT_SEG
        out 0x81, al                    ; the IVT is ready (a port breakpoint stops here)
        xor cx, cx
        mov ax, 7
        xor dx, dx
        times DE_OFF - ($ - $$) nop
de_insn:
        div cx                          ; #DE (2 bytes)
        out 0x80, al
        times UD_OFF - ($ - $$) nop
ud_insn:
        ud2                             ; #UD (2 bytes)
        out 0x80, al
        mov word [es:INT_VECTOR * 4], int_handler
        mov word [es:INT_VECTOR * 4 + 2], BOOT_SEG
        times INT_OFF - ($ - $$) nop
int_insn:
        int INT_VECTOR                  ; a software interrupt (2 bytes)
        out 0x80, al
        cmp word [counts + 4], 1
        jne fail
        cmp word [counts], 1
        jne fail
        cmp word [counts + 2], 1
        jne fail
        mov si, msg_ok
        call print
        mov al, 0                       ; pass: status 1
        out 0xf4, al
fail:
        mov si, msg_bad
        call print
        mov al, 1                       ; fail: status 3
        out 0xf4, al

%include "lib16.inc"

msg_ok:  db "realcatch OK", 10, 0
msg_bad: db "realcatch FAILED", 10, 0
counts:  dw 0, 0, 0

        times HANDLERS_OFF - ($ - $$) db 0
de_handler:
        out 0x80, al
        inc word [counts]
        jmp skip2
        times UD_HANDLER_OFF - ($ - $$) db 0
ud_handler:
        out 0x80, al
        inc word [counts + 2]
skip2:                                  ; return past the 2-byte instruction
        push bp
        mov bp, sp
        add word [bp + 2], 2
        pop bp
        iret
        times INT_HANDLER_OFF - ($ - $$) db 0
int_handler:
        out 0x80, al
        inc word [counts + 4]
        iret
