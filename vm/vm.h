/* vm/vm.h — the one VM object: KVM handles, RAM, vCPUs, devices and run control.
 *
 * Threads: one per vCPU (blocked in KVM_RUN or parked), plus the controller (the main thread,
 * or the GDB stub's thread). Fields marked [lock] are protected by vm->lock.
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
#include "vm/dev/console.h"
#include "vm/dev/console_watch.h"
#include "vm/dev/ioport.h"
#include "vm/memslots.h"
#include "base/ram.h"

#define VM_MAX_CPUS 64

struct debug_state;
struct trap_step;
struct dev_serial;
struct dev_cmos;

struct vm_config {
    uint64_t ram_size;
    int cpus;
    bool trace_io;
    bool trace_exits;    /* log every KVM exit (for debugging kvmstub itself) */
    bool irqchip;        /* in-kernel LAPIC/IOAPIC/PIC/PIT (always for Linux) */
    bool gdb;            /* a debugger may attach: guest-debug exits are expected */
    const char *console; /* console spec */
};

struct vcpu {
    struct vm *vm;
    int id;
    int fd;
    struct kvm_run *run;
    pthread_t thread;
    bool thread_started;

    /* run control [lock] */
    bool run_requested; /* the controller wants this vCPU running */
    bool parked;        /* the thread is waiting in run control, not in KVM_RUN */
    enum resume_kind action;
    bool done;        /* halted for good (HLT without an interrupt source) */
    int fatal_status; /* stopped on something fatal: resuming ends the guest with it */

    /* owned by the vCPU thread */
    bool io_pending;             /* a PIO/MMIO exit is completed only by the next KVM_RUN */
    uint64_t debug_gen;          /* the guest-debug generation applied to this vCPU */
    bool debug_step;             /* single-step flag applied with debug_gen */
    bool inject_bp;              /* hand the guest its own #BP on the next entry */
    struct trap_step *trap_step; /* stepping out of a watchpoint's trapped page */
    bool sync_regs_valid;        /* run->s.regs holds the current registers (cpu_regs.c) */
    bool sync_sregs_valid;
};

struct vm {
    const struct vm_config *cfg;
    int kvm_fd;
    int vm_fd;
    int run_size;
    uint32_t guest_debug_caps; /* KVM_CAP_SET_GUEST_DEBUG2 flags */
    bool sync_regs;            /* KVM copies regs and sregs into kvm_run at every exit */
    bool host_emulates;        /* the host's KVM emulates guest kernel code (kvm_host_emulates) */
    struct guest_ram ram;
    struct memslot_map memslots;
    bool linux_guest;
    enum image_kind image_kind;
    enum cpu_mode boot_mode;

    int ncpus;
    struct vcpu vcpus[VM_MAX_CPUS];

    struct console console;
    struct ioport_bus io;
    struct dev_serial *serial;
    struct dev_cmos *cmos;
    uint32_t pci_address;               /* PCI config address register (dev_pci) */
    struct console_watch console_watch; /* what the guest's serial output has shown */

    /* run control */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int event_fd;           /* readable: a stop is complete, or the guest ended */
    int nrunning;           /* [lock] threads not parked */
    bool stop_pending;      /* [lock] an all-stop is under way or complete */
    struct stop_event stop; /* [lock] what stopped it */
    bool ended;             /* [lock] the guest is over */
    int exit_status;        /* [lock] valid once ended */
    bool debugger_attached; /* [lock] a stop goes to gdb rather than ending the guest */

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

/* End the guest with status (the first call wins), from any thread. */
void vm_end(struct vm *vm, int status);
/* The guest reset or powered itself off (i8042 reset, triple fault of a Linux guest, a KVM
 * system event): end with status 0, or EXIT_GUEST_PANIC when its console showed a panic. */
void vm_guest_reset(struct vm *vm);
/* A vCPU hit something fatal (triple fault, unhandled exit): dump its registers and end, or,
 * with a debugger attached, stop with signal so gdb can look. */
void vm_fatal(struct vcpu *vcpu, int status, int signal, const char *why);

#endif
