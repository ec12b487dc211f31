# tests/suite_guests.sh — each test guest boots in its mode and reports through the exit port;
# the demo guest; console separation; exit statuses.

# run_guest IMAGE ARGS...: run kvmstub with the console in $TEST_DIR/console, stderr apart.
run_guest() {
    timeout 60 "$KVMSTUB" "$@" >"$TEST_DIR/console" 2>"$TEST_DIR/stderr"
    GUEST_STATUS=$?
}

# expect_guest STATUS REGEX: the last run ended with STATUS and its console matched REGEX.
expect_guest() {
    [ "$GUEST_STATUS" = "$1" ] ||
        fail_because "exit status $GUEST_STATUS, expected $1; stderr: $(head -c 300 "$TEST_DIR/stderr")" || return 1
    grep -qE -- "$2" "$TEST_DIR/console" ||
        fail_because "console lacks /$2/: $(head -c 300 "$TEST_DIR/console")" || return 1
    if grep -q '^kvmstub:' "$TEST_DIR/console"; then
        fail_because "kvmstub's own messages reached the console"
        return 1
    fi
}

test_demo_guest_runs() {
    run_guest
    expect_guest 0 '^Hello from the kvmstub demo guest!$' || return 1
    grep -q '^IO port: 10, data: 9$' "$TEST_DIR/console" || fail_because "no count on port 0x10" || return 1
    [ "$(grep -c '^IO port: 10, data:' "$TEST_DIR/console")" = 10 ] || fail_because "count is not bounded to 10"
}

test_realmode_guest() {
    run_guest build/guest/realmode.img
    expect_guest 1 '^real mode OK$' && grep -q '^IO port: 10, data: 4$' "$TEST_DIR/console"
}

test_prot32_elf_guest() {
    run_guest build/guest/prot32.img
    expect_guest 1 '^32-bit protected mode OK$'
}

test_long64_elf_guest() {
    run_guest build/guest/long64.img
    expect_guest 1 '^64-bit long mode OK$'
}

test_multiboot_guest() {
    run_guest --cmdline "hello multiboot" build/guest/multiboot.img
    expect_guest 1 '^multiboot OK$' || return 1
    grep -q '^multiboot cmdline: build/guest/multiboot.img hello multiboot$' "$TEST_DIR/console" ||
        fail_because "command line not passed: $(cat "$TEST_DIR/console")"
}

test_multiboot_guest_same_under_qemu() {
    command -v qemu-system-x86_64 >/dev/null || { skip_because "qemu-system-x86_64 is not installed"; return 77; }
    timeout 60 qemu-system-x86_64 -accel kvm -accel tcg -m 16 -kernel build/guest/multiboot.img \
        -append "hello multiboot" -device isa-debug-exit,iobase=0xf4,iosize=4 \
        -debugcon "file:$TEST_DIR/qemu-console" -display none -serial none -monitor none \
        -nodefaults >/dev/null 2>"$TEST_DIR/qemu-stderr"
    local qemu=$?
    run_guest --cmdline "hello multiboot" build/guest/multiboot.img
    [ "$qemu" = "$GUEST_STATUS" ] || fail_because "QEMU ended with $qemu, kvmstub with $GUEST_STATUS" || return 1
    grep -q '^multiboot OK$' "$TEST_DIR/qemu-console" || fail_because "QEMU run did not pass" || return 1
    diff <(grep -v 'upper memory' "$TEST_DIR/qemu-console") <(grep -v 'upper memory' "$TEST_DIR/console") >/dev/null ||
        fail_because "console differs from QEMU's"
}

test_console_file_and_none() {
    run_guest --console "file:$TEST_DIR/out.txt" build/guest/long64.img
    [ "$GUEST_STATUS" = 1 ] && [ ! -s "$TEST_DIR/console" ] && grep -q '^64-bit long mode OK$' "$TEST_DIR/out.txt" ||
        fail_because "--console file: did not take the output" || return 1
    run_guest --console none build/guest/long64.img
    [ "$GUEST_STATUS" = 1 ] && [ ! -s "$TEST_DIR/console" ] || fail_because "--console none still printed"
}

test_trace_io_goes_to_stderr() {
    run_guest --trace-io build/guest/realmode.img
    expect_guest 1 'real mode OK' || return 1
    grep -q '^kvmstub: io: out port 0x0010 size 2 <- 0x0004 (article-port)$' "$TEST_DIR/stderr" ||
        fail_because "no trace of port 0x10 on stderr"
}

test_unclaimed_port_reads_all_ones() {
    cat >"$TEST_DIR/g.asm" <<'ASM'
bits 16
org 0
        in al, 0x80             ; nobody claims port 0x80
        cmp al, 0xff
        jne bad
        in ax, 0x84
        cmp ax, 0xffff
        jne bad
        mov al, 0
        out 0xf4, al
bad:    mov al, 1
        out 0xf4, al
ASM
    nasm -f bin -o "$TEST_DIR/g.img" "$TEST_DIR/g.asm" || return 1
    run_guest "$TEST_DIR/g.img"
    [ "$GUEST_STATUS" = 1 ] || fail_because "status $GUEST_STATUS: an unclaimed port did not read all ones"
}

test_hlt_with_interrupts_off_ends_with_0() {
    printf '\xfa\xf4' >"$TEST_DIR/hlt.img" # cli; hlt
    run_guest "$TEST_DIR/hlt.img"
    [ "$GUEST_STATUS" = 0 ] || fail_because "status $GUEST_STATUS"
}

test_exit_port_status_values() {
    for v in 0 5 127; do
        printf "\\xb0\\x$(printf %02x $v)\\xe6\\xf4" >"$TEST_DIR/exit.img" # mov al, v; out 0xf4, al
        run_guest "$TEST_DIR/exit.img"
        [ "$GUEST_STATUS" = $(((v << 1) | 1)) ] || fail_because "v=$v gave status $GUEST_STATUS" || return 1
    done
}

test_i8042_reset_ends_with_0() {
    printf '\xb0\xfe\xe6\x64\xeb\xfe' >"$TEST_DIR/reset.img" # mov al, 0xfe; out 0x64, al; jmp $
    run_guest "$TEST_DIR/reset.img"
    [ "$GUEST_STATUS" = 0 ] || fail_because "status $GUEST_STATUS"
}

test_triple_fault_dumps_registers() {
    # An empty IDT, then an exception: #UD -> #DF -> triple fault.
    assemble64 tf <<'ASM' || return 1
bits 64
global _start
section .text
_start: lidt [rel idtr]
        ud2
section .data
idtr:   dw 0
        dq 0
ASM
    run_guest "$TEST_DIR/tf.img"
    [ "$GUEST_STATUS" = 6 ] || fail_because "status $GUEST_STATUS, expected 6" || return 1
    # kvm_amd resets the vCPU on a shutdown, as AMD hardware does: the dump is of the reset
    # state (no ud2 at its rip), and kvmstub says so.
    local code='code at rip: 0f 0b'
    [ -e /sys/module/kvm_amd ] && code='reset the vCPU on the shutdown'
    for what in 'triple fault' 'rip=' 'rflags=' 'cs *sel=' 'cr0=' 'efer=' "$code"; do
        grep -q "$what" "$TEST_DIR/stderr" || fail_because "register dump lacks $what" || return 1
    done
}

test_cpus_bare_metal_each_vcpu_runs() {
    assemble64 smp <<'ASM' || return 1
; every vCPU starts here; each prints its APIC id, CPU 0 waits for the others, then exits
bits 64
default rel
global _start
section .text
_start:
        mov eax, 1
        cpuid
        shr ebx, 24                     ; APIC id
        lea eax, [ebx + '0']
        out 0xe9, al
        lock inc dword [arrived]
        test ebx, ebx
        jnz .park
.wait:  cmp dword [arrived], 3
        jne .wait
        mov al, 10
        out 0xe9, al
        mov al, 0
        out 0xf4, al
.park:  cli
        hlt
section .data
arrived: dd 0
ASM
    run_guest --cpus 3 "$TEST_DIR/smp.img"
    [ "$GUEST_STATUS" = 1 ] || fail_because "status $GUEST_STATUS" || return 1
    for c in 0 1 2; do
        grep -q "$c" "$TEST_DIR/console" || fail_because "CPU $c did not run: $(cat "$TEST_DIR/console")" || return 1
    done
}

test_console_over_tcp_both_ways() {
    # A real-mode guest that waits for a byte on the 8250 and answers "got: X" on it.
    cat >"$TEST_DIR/echo.asm" <<'ASM'
bits 16
org 0
poll:   mov dx, 0x3fd           ; LSR
        in al, dx
        test al, 1              ; data ready
        jz poll
        mov dx, 0x3f8
        in al, dx
        mov bl, al
        mov si, msg
.print: lodsb
        test al, al
        jz .char
        out dx, al
        jmp .print
.char:  mov al, bl
        out dx, al
        mov al, 10
        out dx, al
        mov al, 0
        out 0xf4, al
msg:    db "got: ", 0
ASM
    nasm -f bin -o "$TEST_DIR/echo.img" "$TEST_DIR/echo.asm" || return 1
    "$KVMSTUB" --console tcp:127.0.0.1:0 "$TEST_DIR/echo.img" >"$TEST_DIR/stdout" 2>"$TEST_DIR/stderr" &
    local pid=$!
    wait_for_line "$TEST_DIR/stderr" 'console on tcp 127.0.0.1:[0-9]+' 20 "$pid" || { fail_because "no console listener"; return 1; }
    local port
    port=$(sed -n 's/.*console on tcp 127.0.0.1:\([0-9]*\).*/\1/p' "$TEST_DIR/stderr")
    timeout 20 python3 -c "
import socket
s = socket.create_connection(('127.0.0.1', $port), timeout=15)
s.sendall(b'k')
got = b''
while b'\\n' not in got:
    chunk = s.recv(100)
    if not chunk:
        break
    got += chunk
print(got.decode(errors='replace').strip())
" >"$TEST_DIR/client.out" 2>&1
    wait_pid "$pid" 20 || { fail_because "guest did not end"; return 1; }
    [ "$(cat "$TEST_DIR/client.out")" = "got: k" ] || { fail_because "client saw: $(cat "$TEST_DIR/client.out")"; return 1; }
    [ "$WAIT_STATUS" = 1 ] || { fail_because "status $WAIT_STATUS"; return 1; }
    [ ! -s "$TEST_DIR/stdout" ] || fail_because "guest output went to stdout with --console tcp"
}

test_console_input_waits_until_the_guest_listens() {
    # Input piped in at start reaches the UART only once the guest enables its receive
    # interrupt; before, the guest resets the FIFO (as Linux's driver does) and would lose it.
    printf 'hello\n' >"$TEST_DIR/input"
    timeout 60 "$KVMSTUB" --irqchip build/guest/serial_input64.img <"$TEST_DIR/input" \
        >"$TEST_DIR/console" 2>"$TEST_DIR/stderr"
    GUEST_STATUS=$?
    expect_guest 1 '^got: hello$'
}

test_multiboot2_boot_information_as_grub2_gives_it() {
    run_guest -m 16M --cmdline "hello  multiboot2 x=1" build/guest/multiboot2_info.img
    expect_guest 1 '^multiboot2 info OK$' || return 1
    # GRUB 2 passes the arguments only, exactly; memory in KiB; the e820 map of 16 MiB.
    local want
    want=$(printf '%s\n' \
        'multiboot2 cmdline: [hello  multiboot2 x=1]' \
        'multiboot2 loader: kvmstub' \
        'multiboot2 memory: lower 0000027f upper 00003c00' \
        'multiboot2 mmap: 0000000000000000 000000000009fc00 00000001' \
        'multiboot2 mmap: 000000000009fc00 0000000000060400 00000002' \
        'multiboot2 mmap: 0000000000100000 0000000000f00000 00000001')
    [ "$(grep '^multiboot2 [clm]' "$TEST_DIR/console")" = "$want" ] ||
        fail_because "boot information differs: $(cat "$TEST_DIR/console")" || return 1
    run_guest build/guest/multiboot2_info.img
    expect_guest 1 '^multiboot2 cmdline: \[\]$'
}

test_multiboot2_elf64_switches_to_long_mode() {
    run_guest build/guest/multiboot2_long64.img
    expect_guest 1 '^multiboot2 long mode OK$' &&
        grep -q '^multiboot2: 32-bit entry$' "$TEST_DIR/console" || fail_because "no 32-bit entry"
}

test_multiboot_v1_in_elf64_container() {
    run_guest --cmdline "hello multiboot" build/guest/multiboot_elf64.img
    expect_guest 1 '^multiboot OK$' || return 1
    grep -q '^multiboot cmdline: build/guest/multiboot_elf64.img hello multiboot$' "$TEST_DIR/console" ||
        fail_because "command line not passed: $(cat "$TEST_DIR/console")"
}

test_bootsector_at_7c00() {
    run_guest --load-addr 0x7c00 build/guest/bootsector.img
    expect_guest 1 '^boot sector OK$' || return 1
    [ "$(stat -c %s build/guest/bootsector.img)" = 512 ] &&
        [ "$(tail -c 2 build/guest/bootsector.img | od -An -tx1 | tr -d ' ')" = 55aa ] ||
        fail_because "not a 512-byte sector ending in 55 aa"
}

test_acpi_poweroff_ends_the_guest_as_under_qemu() {
    # A kernel written for QEMU ends with an ACPI power-off, then halts with interrupts on: the
    # power-off must end it (with an interrupt controller its HLT would wait forever).
    local img=build/guest/qemu_poweroff.img
    for irqchip in "" --irqchip; do
        # shellcheck disable=SC2086 # irqchip: one option or none
        run_guest $irqchip --cmdline 'hello qemu' "$img"
        expect_guest 0 "^qemu test kernel: $img hello qemu" || return 1
        ! grep -q 'still running after the power-off' "$TEST_DIR/console" ||
            fail_because "the guest ran on after its power-off${irqchip:+ ($irqchip)}" || return 1
    done
    command -v qemu-system-x86_64 >/dev/null || { skip_because "qemu-system-x86_64 is not installed (kvmstub passed)"; return 77; }
    timeout 60 qemu-system-x86_64 -kernel "$img" -append 'hello qemu' -nographic -no-reboot \
        </dev/null >"$TEST_DIR/qemu-console" 2>"$TEST_DIR/qemu-stderr"
    local qemu=$?
    [ "$qemu" = 0 ] || fail_because "QEMU ended with $qemu: $(cat "$TEST_DIR/qemu-stderr")" || return 1
    grep -q "qemu test kernel: $img hello qemu" "$TEST_DIR/qemu-console" ||
        fail_because "the guest printed otherwise under QEMU: $(tail -c 300 "$TEST_DIR/qemu-console")"
}

test_plain_memory_size_is_mib_as_in_qemu() {
    run_guest -m 128 build/guest/multiboot.img
    expect_guest 1 '^upper memory: 127 MiB$'
}
