/* base/exit_status.h — kvmstub's exit statuses (documented in --help and README).
 *
 * Odd statuses belong to the guest: writing v to port 0xF4 ends kvmstub with (v << 1) | 1.
 * kvmstub's own statuses are even.
 */
#ifndef KVMSTUB_BASE_EXIT_STATUS_H
#define KVMSTUB_BASE_EXIT_STATUS_H

enum exit_status {
    EXIT_GUEST_OK = 0,     /* HLT with interrupts off, i8042 reset, Linux reboot */
    EXIT_USAGE = 2,        /* bad command line */
    EXIT_SETUP = 4,        /* could not start: KVM, image, memory, debugger socket */
    EXIT_GUEST_CRASH = 6,  /* triple fault or an exit kvmstub cannot handle (registers dumped) */
    EXIT_EMULATION = 8,    /* the host's instruction emulator refused a guest instruction */
    EXIT_GUEST_PANIC = 10, /* a Linux guest panicked (the panic text is on the console) */
    EXIT_KILLED = 12,      /* ended by the debugger (gdb `kill`) */
};

/* The status for a value written to the exit port. */
#define EXIT_PORT_STATUS(v) ((int)((((unsigned)(v)) << 1) | 1) & 0xFF)

#endif
