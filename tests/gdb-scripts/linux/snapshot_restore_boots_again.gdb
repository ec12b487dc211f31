# A snapshot of a booting Linux kernel (in-kernel LAPIC, IOAPIC, PIC, PIT and kvmclock, the
# UART, two vCPUs): stopped early in its boot and saved, the kernel boots on to `Run /init`;
# restored there, it boots a second time from the saved point to its clean end — timers,
# interrupts and the console work after the restore. No breakpoints: Ctrl-C when the console
# shows a line.
# guest: $KERNEL_DIR/bzImage
# args: --initrd $INITRD --cpus 2
# symbols: $KERNEL_DIR/vmlinux
# gdb-init: add-auto-load-safe-path $KERNEL_DIR
# console: Run /init as init process
# status: 0
# (On PVM the second boot ends as a first would, in the panic at user space: status 10, which
# gdb shows as "exited with code 012"; the status line says which end is expected where.)
# status-emulating: 10
# Two boots from early on, emulated on PVM: 110 s in one loaded run and over gdb's 120 s in
# another (ci79), so gdb has 300 s, as the kernel boot tests have, and each wait for a console
# line 240 s.
# gdb-timeout: 300
source gdb/kvmstub.py
python
import os, signal, threading, time
console = os.path.join(os.environ["TEST_DIR"], "console")
def console_text():
    with open(console, errors="replace") as f:
        return f.read()
def continue_until_console(text, count=1, limit=240):
    """continue; Ctrl-C once the console shows text count times (or after limit seconds)."""
    def watch():
        deadline = time.time() + limit
        while time.time() < deadline and console_text().count(text) < count:
            time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGINT)
    threading.Thread(target=watch, daemon=True).start()
    gdb.execute("continue", to_string=True)
    alive = gdb.selected_inferior().pid != 0
    print("kernel running at the stop: %s" % ("yes" if alive else "no, it ended"))
    print("console shows '%s' %d time(s)" % (text, console_text().count(text)))
end
python continue_until_console("smpboot: Allowing")
kvmstub snapshot save early_boot
python continue_until_console("Run /init as init process")
kvmstub snapshot restore early_boot
continue
python print("the kernel ran /init %d times" % console_text().count("Run /init as init process"))
