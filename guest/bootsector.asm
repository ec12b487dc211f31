; guest/bootsector.asm — a BIOS-style boot sector: 512 bytes ending in 0x55 0xAA, run from
; 0x7C00 (kvmstub --load-addr 0x7c00 enters it at 0000:7C00, as a BIOS does). Like many real
; boot sectors it first makes CS:IP 07C0:xxxx with a far jump, so the rest runs with a non-zero
; CS: with --gdb-realmode-linear, gdb's pc is the linear address CS.base + IP, and breakpoints
; and `x/i $pc` work at 0x7C00 + offset. It calls bump BUMPS times, checks where it runs, prints
; on the debug console and reports through the exit port.
; Fixed offsets for gdb (linear 0x7C00 + offset): count_loop at 0x40, bump at 0x80.
; build: bin

bits 16
org 0                                   ; offsets in segment BOOT_SEG

BOOT_SEG        equ 0x07C0
BUMPS           equ 3
COUNT_LOOP_OFF  equ 0x40
BUMP_OFF        equ 0x80

start:
        jmp BOOT_SEG:main               ; 0000:7C00 -> 07C0:main
main:
        cli
        mov ax, cs
        mov ds, ax
        mov ss, ax
        mov sp, 0x1000                  ; 0x8C00 linear, above the sector
        mov si, msg_hello
        call print
        xor cx, cx
        times COUNT_LOOP_OFF - ($ - $$) nop
count_loop:
        call bump
        inc cx
        cmp cx, BUMPS
        jne count_loop
        cmp word [counter], BUMPS
        jne fail
        mov ax, cs
        cmp ax, BOOT_SEG
        jne fail
        call here                       ; IP is an offset in 07C0: the call pushes it
here:   pop bx
        cmp bx, here
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

        times BUMP_OFF - ($ - $$) db 0
bump:
        inc word [counter]
        ret

%include "lib16.inc"

counter:   dw 0
msg_hello: db "boot sector at 07C0:0000", 10, 0
msg_ok:    db "boot sector OK", 10, 0
msg_bad:   db "boot sector FAILED", 10, 0

        times 510 - ($ - $$) db 0
        dw 0xAA55
