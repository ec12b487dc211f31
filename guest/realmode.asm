; guest/realmode.asm — the guest of Serge Zaitsev's "KVM host in a few lines of code", made to
; end: real mode at 0, it counts on port 0x10 (kvmstub shows "IO port: 10, data: N"), then
; checks it really runs in real mode at CS:IP 0:0 and reports through the exit port.
; build: bin

bits 16
org 0

COUNT equ 5

start:
        xor ax, ax
count:
        out 0x10, ax
        inc ax
        cmp ax, COUNT
        jne count

        mov eax, cr0            ; real mode: CR0.PE is clear
        test al, 1
        jnz fail
        call here               ; IP really started at 0: the call pushes our offset
here:   pop bx
        cmp bx, here
        jne fail
        mov si, ok
        call print
        mov al, 0               ; verdict 0: pass (exit status 1)
        out 0xf4, al
fail:
        mov si, bad
        call print
        mov al, 1               ; verdict 1: fail (exit status 3)
        out 0xf4, al

%include "lib16.inc"

ok:  db "real mode OK", 10, 0
bad: db "real mode FAILED", 10, 0
