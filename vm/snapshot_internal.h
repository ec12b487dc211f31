/* vm/snapshot_internal.h — what a snapshot holds, shared by vm/snapshot.c (taking and
 * applying) and vm/snapshot_file.c (writing and reading files). Nothing else looks inside. */
#ifndef KVMSTUB_VM_SNAPSHOT_INTERNAL_H
#define KVMSTUB_VM_SNAPSHOT_INTERNAL_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>

#include "vm/snapshot_ram.h"
#include "vm/vm.h"

struct vcpu_snapshot {
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_xsave *xsave; /* xsave_size bytes (KVM_GET_XSAVE2 when larger than 4 KiB) */
    struct kvm_xcrs xcrs;
    struct kvm_msrs *msrs; /* followed by its entries */
    struct kvm_lapic_state lapic;
    struct kvm_vcpu_events events;
    struct kvm_mp_state mp_state;
    struct kvm_debugregs debugregs;
    struct kvm_cpuid2 *cpuid; /* followed by its entries: what the guest sees (for files) */
    bool done;
    int fatal_status;
    enum vcpu_shutdown fatal_shutdown;
};

struct snapshot {
    int ncpus;
    bool irqchip;
    size_t xsave_size;
    bool has_xcrs;
    struct vcpu_snapshot cpu[VM_MAX_CPUS];
    struct kvm_irqchip chips[3]; /* PIC master, PIC slave, IOAPIC */
    struct kvm_pit_state2 pit;
    struct kvm_clock_data clock;
    struct devices_state *devices;
    struct console_watch console; /* what the console has shown (a panic, a restart) */
    struct ram_copy ram;
};

/* Everything but RAM: the irqchip, PIT and clock, every vCPU, the devices. */
int snapshot_apply_cpu_and_devices(struct vm *vm, const struct snapshot *snap, char *err,
                                   size_t errlen);

struct snapshot_file;
/* The state a checked snapshot file holds (its RAM not included). */
const struct snapshot *snapshot_file_state(const struct snapshot_file *f);

#endif
