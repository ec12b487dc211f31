/* vm/vm.h — the one VM object: KVM handles, RAM and the memory map, vCPUs, devices, run
 * control, and the hooks through which a debugger (debug/) sees the vCPUs' exits.
 *
 * Threads: one per vCPU (in KVM_RUN, handling an exit, or parked in run control), plus the
 * controller (the main thread, or the GDB stub's thread). Each field says who may touch it:
 *   [lock]   vm->lock (vm/runctl.c is the only file that takes it for these fields)
 *   [vcpu]   whoever drives the vCPU: its own thread while it runs, the controller while it is
 *            parked (run control hands it over; a parked vCPU's thread does not touch it)
 *   [map]    the memory map: changed only under runctl_map_held (vm/runctl.h), read freely
 *   [setup]  written before the vCPU threads start, read-only afterwards
 */
#ifndef KVMSTUB_VM_VM_H
#define KVMSTUB_VM_VM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/boot.h"
#include "base/ram.h"
#include "stub/target.h"
#include "vm/dev/bus.h"
#include "vm/dev/console.h"
#include "vm/dev/console_watch.h"
#include "vm/host.h"
#include "vm/memslots.h"
#include "vm/x86/cpu_regs.h"

#define VM_MAX_CPUS 64

struct dev_serial;
struct dev_cmos;

struct vm_config {
    uint64_t ram_size;
    int cpus;
    bool trace_io;
    bool trace_exits;     /* log every KVM exit (for debugging kvmstub itself) */
    bool irqchip;         /* in-kernel LAPIC/IOAPIC/PIC/PIT (always for Linux) */
    bool gdb;             /* a debugger may attach: guest-debug exits are expected */
    const char *console;  /* console spec */
    const char *producer; /* "kvmstub VERSION": who writes snapshot files (vm/snapshot_file.h) */
};

struct vcpu;

enum { VM_DEBUG_PREPARED_STEPPED = 1, VM_DEBUG_PREPARED_EXIT = 2 };

/* What a debugger does at a vCPU's exits (debug/guest_debug.c implements it): vm/ calls up to
 * debug/ only through these. The vCPU layer calls them from whoever drives the vCPU;
 * vm->debug_ops is NULL without --gdb. */
struct vm_debug_ops {
    /* Before KVM_RUN: apply the guest-debug state (KVM_SET_GUEST_DEBUG) if it changed. 0: run.
     * VM_DEBUG_PREPARED_STEPPED: the debugger executed the stepped instruction itself: no
     * KVM_RUN, and the vCPU goes on as after KVM's single-step trap. VM_DEBUG_PREPARED_EXIT: no
     * KVM_RUN either, the debugger wrote the exit KVM would have made into kvm_run (a debug-
     * register breakpoint it checks itself). -1: failed. */
    int (*prepare)(struct vcpu *vcpu);
    /* KVM_RUN returned with an exit: true when the debugger consumed it (its own single-step
     * out of a trapped page); the exit is then not dispatched further. */
    bool (*exited)(struct vcpu *vcpu);
    /* KVM_EXIT_DEBUG: a breakpoint, watchpoint or single-step; or a guest #BP to hand back. */
    void (*debug_exit)(struct vcpu *vcpu);
    /* A port access, before the devices see it: true when the debugger answered it itself (it
     * re-executes recorded instructions: debug/record.h), and the devices are not to see it. */
    bool (*port_replayed)(struct vcpu *vcpu, uint16_t port, bool is_write, uint8_t *data,
                          unsigned size);
    /* A port access the devices handled (data: what the guest wrote or now reads). */
    void (*port_done)(struct vcpu *vcpu, uint16_t port, bool is_write, const uint8_t *data,
                      unsigned size);
    /* An MSR access the filter sent to kvmstub was performed (vm/msr_filter.h). */
    void (*msr_done)(struct vcpu *vcpu, uint32_t msr, bool is_write, uint64_t value);
    /* A port or MMIO access handled in userspace completed the instruction. */
    void (*after_access)(struct vcpu *vcpu);
    /* KVM could not fetch or emulate the instruction at linear address rip (bytes: what KVM
     * gave or what memory holds, n of them): true when it is the debugger's own doing (one of
     * its breakpoints, code in a trapped page) and was handled. */
    bool (*emulation_failure)(struct vcpu *vcpu, uint64_t rip, const uint8_t *bytes, unsigned n);
    /* KVM could not deliver an event (KVM_INTERNAL_ERROR_DELIVERY_EV: the IDT or the stack it
     * pushes to is not plain RAM): true when the debugger's doing was undone, to try again. */
    bool (*delivery_failed)(struct vcpu *vcpu);
    /* The vCPU is going away: free its per-vCPU debugger state. */
    void (*vcpu_destroy)(struct vcpu *vcpu);
    /* The VM is going away (after every vCPU): free the debugger's state. */
    void (*destroy)(struct vm *vm);
};

/* A triple fault (KVM_EXIT_SHUTDOWN) a vCPU stopped on: KVM kept the state of the instruction
 * that raised the first exception (Intel, PVM), or reset the vCPU (kvm_amd, as AMD does). */
enum vcpu_shutdown { SHUTDOWN_NONE, SHUTDOWN_STATE_KEPT, SHUTDOWN_STATE_RESET };

struct vcpu {
    struct vm *vm;       /* [setup] */
    int id;              /* [setup] */
    int fd;              /* [setup] */
    struct kvm_run *run; /* [setup]; run->immediate_exit: [lock], or the inline stepper's */
    pthread_t thread;    /* [setup] */
    bool thread_started; /* [lock] set once its thread runs (runctl_thread_started); vm_destroy
                          * reads it after the threads ended */

    /* Run control [lock]. `action`, `fatal_status` and `fatal_shutdown` change only while the
     * vCPU is parked (or by its own thread, before it reports a stop under the lock), so its
     * driver reads them without the lock, and so does the controller while every vCPU is
     * parked. `done`, `range_start` and `range_end` are written under the lock, and read
     * without it by the vCPU's driver, or by the controller while every vCPU is parked. */
    bool run_requested; /* the controller wants this vCPU running */
    bool parked;        /* the thread waits in run control, not in KVM_RUN */
    enum resume_kind action;
    uint64_t range_start, range_end; /* RESUME_RANGE: step while rip is in [start, end) */
    bool done;                       /* halted for good (HLT without an interrupt source) */
    int fatal_status; /* stopped on something fatal: resuming ends the guest with it */
    enum vcpu_shutdown fatal_shutdown; /* that was a triple fault, and what KVM left of the state */

    /* [vcpu] */
    bool io_pending;            /* a PIO/MMIO exit is completed only by the next KVM_RUN */
    bool event_injected;        /* an exception kvmstub injected (exception_inject) that the
                                   next KVM_RUN delivers before any instruction */
    struct cpu_regs_cache regs; /* the register cache (vm/x86/cpu_regs.h) */
    void *debug;                /* the debugger's per-vCPU state (debug/), NULL without one */
};

struct vm {
    const struct vm_config *cfg; /* [setup] */
    int kvm_fd;                  /* [setup] */
    int vm_fd;                   /* [setup] */
    int run_size;                /* [setup] */
    uint32_t guest_debug_caps;   /* [setup] KVM_CAP_SET_GUEST_DEBUG2 flags */
    bool sync_regs;              /* [setup] KVM copies regs and sregs into kvm_run at exits */
    bool msr_exits;   /* filtered MSR accesses exit (vm/msr_filter.h: set while all are parked) */
    struct host host; /* [setup] its kind; its probe: the controller's (vm/host.h) */
    struct guest_ram ram;        /* [setup] the mapping; its contents belong to the guest */
    struct memslot_map memslots; /* [map] */
    struct bus mmio;             /* [map] regions; accesses serialized by the bus */
    struct bus io;               /* [setup] port I/O devices; accesses serialized by the bus */
    bool linux_guest;            /* [setup] */
    bool linux_at_link_address; /* [setup] a Linux kernel that runs where it was linked (nokaslr) */
    enum image_kind image_kind; /* [setup] */
    enum cpu_mode boot_mode;    /* [setup] */
    struct link_segment link[BOOT_LINK_SEGMENTS]; /* [setup] the image's segments linked */
    int nlink;                                    /* elsewhere than loaded (base/boot.h) */

    int ncpus; /* [setup] */
    struct vcpu vcpus[VM_MAX_CPUS];

    struct console console;             /* the guest's console (vm/dev/console.h) */
    struct dev_serial *serial;          /* [setup] */
    struct dev_cmos *cmos;              /* [setup] */
    uint32_t pci_address;               /* PCI config address (dev_pci; under the port bus) */
    uint16_t acpi_pm1_cnt;              /* ACPI PM1a control (dev_acpi_pm; under the port bus) */
    struct console_watch console_watch; /* what the guest's serial output has shown */

    /* Run control (vm/runctl.c). */
    pthread_mutex_t lock;
    pthread_cond_t cond;        /* a parked vCPU may be allowed to run, or the guest ended */
    pthread_cond_t parked_cond; /* a vCPU parked (a pause waits for the others) */
    int event_fd;               /* [lock] readable: a stop is complete, or the guest ended
                                   (written and drained under the lock: runctl_notify) */
    int nrunning;               /* [lock] threads not parked (all, before they start) */
    bool stop_pending;          /* [lock] a stop was reported since the last resume */
    struct stop_event stop;     /* [lock] the stop reported last */
    bool ended;                 /* [lock] the guest is over */
    int exit_status;            /* [lock] valid once ended */
    bool debugger_attached;     /* [lock] a stop goes to gdb rather than ending the guest */
    struct vcpu *pause_owner;   /* [lock] the vCPU keeping the others parked, or NULL */
    int pause_depth;            /* [lock] */
    uint64_t resumes;           /* [lock] runs the controller started (a waiting pause backs out) */

    /* The debugger (debug/), when there is one: [setup] pointers; what they point to is the
     * debugger's, with its own rules (debug/guest_debug.h). */
    const struct vm_debug_ops *debug_ops;
    struct debug_state *debug;
};

/* Open /dev/kvm, create the VM, its RAM and vCPUs. Messages on error; returns 0 or -1. */
int vm_create(struct vm *vm, const struct vm_config *cfg);
/* Put boot CPU state (and every other vCPU's) in place for a loaded image. */
int vm_setup_boot(struct vm *vm, const struct boot_state *boot);
/* Start the vCPU threads; running = false leaves them parked for a debugger. */
int vm_start(struct vm *vm, bool running);
/* Without a debugger: wait for the guest to end; returns kvmstub's exit status. */
int vm_wait(struct vm *vm);
void vm_destroy(struct vm *vm);
/* After the guest ended with status: say on stderr what a non-obvious end means. */
void vm_explain_end(struct vm *vm, int status);

/* The guest reset or powered itself off (i8042 reset, ACPI power-off, triple fault of a Linux
 * guest, a KVM system event): end with status 0, or EXIT_GUEST_PANIC when its console showed a
 * panic. */
void vm_guest_reset(struct vm *vm);
/* A vCPU hit something fatal (triple fault, unhandled exit): dump its registers and end, or,
 * with a debugger attached, stop with signal so gdb can look. */
void vm_fatal(struct vcpu *vcpu, int status, int signal, const char *why);

#endif
