; guest/demo.asm — kvmstub's built-in demo guest (run when no IMAGE is given).
; build: bin
;
; A real-mode program loaded at 0 (CS=0, IP=0), in the spirit of the guest in Serge Zaitsev's
; "KVM host in a few lines of code": it greets on the debug console (port 0xE9), counts on
; port 0x10 a bounded number of times, says goodbye and halts with interrupts off, which ends
; kvmstub with status 0. The bytes are embedded in guest/demo_image.c (regenerate it with
; guest/embed-demo.sh); a test checks that they match what nasm makes of this file.

bits 16
org 0

COUNT equ 10

start:
        mov si, greeting
        call print
        xor ax, ax
count:
        out 0x10, ax            ; shown as "IO port: 10, data: N"
        inc ax
        cmp ax, COUNT
        jne count
        mov si, goodbye
        call print
        cli
        hlt                     ; halt with interrupts off: the guest is done

; print the zero-terminated string at DS:SI on the debug console
print:
        lodsb
        test al, al
        jz .done
        out 0xE9, al
        jmp print
.done:
        ret

greeting: db "Hello from the kvmstub demo guest!", 10, 0
goodbye:  db "Demo guest done, halting.", 10, 0
