/* vm/x86/cpu_regs.h — read and write a vCPU's registers in the debugger's form. */
#ifndef KVMSTUB_VM_X86_CPU_REGS_H
#define KVMSTUB_VM_X86_CPU_REGS_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#include "stub/target.h"

struct vcpu;

/* Register groups of the cache. */
enum {
    CPU_REGS_GPR = 1 << 0,   /* kvm_regs */
    CPU_REGS_SREGS = 1 << 1, /* kvm_sregs */
    CPU_REGS_FPU = 1 << 2,   /* x87 and SSE state (kvm_fpu form) */
    CPU_REGS_KGS = 1 << 3,   /* MSR_KERNEL_GS_BASE */
};

/* The one register cache of a vCPU: what KVM holds for it, read lazily, valid until the vCPU
 * runs again. Owned by whoever drives the vCPU: its thread while it runs, the controller while
 * it is parked. Filled from the copy KVM leaves in kvm_run at every exit (KVM_CAP_SYNC_REGS,
 * enabled under a debugger: an ioctl costs several microseconds on some hosts) or by ioctl;
 * the setters write through. cpu_regs_exited (after every KVM_RUN) and cpu_regs_forget (after a
 * snapshot is applied) are the only invalidations. */
struct cpu_regs_cache {
    unsigned valid;      /* CPU_REGS_* groups held below */
    unsigned sync_fresh; /* groups whose kvm_run copy is current (since the last exit) */
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    struct kvm_fpu fpu;
    uint64_t k_gs_base;
    /* Times RFLAGS may have been written other than by the guest's own instructions: by
     * KVM_SET_REGS (cpu_set_regs), a snapshot applied, or KVM's emulator around a port or MMIO
     * exit (it writes RFLAGS back when it completes the instruction: before an MMIO write's
     * exit, in the next KVM_RUN for a read). Each may clear the trap flag KVM sets for
     * KVM_GUESTDBG_SINGLESTEP (KVM keeps it only while RIP is where KVM_SET_GUEST_DEBUG was
     * last called), so the debugger re-applies that after one. */
    unsigned long writes;
};

/* General and segment/control registers through the cache. All print a message on failure. */
int cpu_get_regs(struct vcpu *vcpu, struct kvm_regs *regs);
int cpu_get_sregs(struct vcpu *vcpu, struct kvm_sregs *sregs);
int cpu_set_regs(struct vcpu *vcpu, const struct kvm_regs *regs);
int cpu_set_sregs(struct vcpu *vcpu, const struct kvm_sregs *sregs);
/* KVM_RUN returned: the cache is empty, and the kvm_run copy (if enabled) is current.
 * emulated: KVM's emulator may have written RFLAGS in that run (it completed a port or MMIO
 * access, vcpu->io_pending, or exited for one). */
void cpu_regs_exited(struct vcpu *vcpu, bool emulated);
/* The state was put back behind the cache (a snapshot): nothing cached nor in kvm_run holds. */
void cpu_regs_forget(struct vcpu *vcpu);

/* The linear address of the pc, as the CPU forms it in the mode those registers say. */
uint64_t cpu_pc_linear(const struct kvm_regs *regs, const struct kvm_sregs *sregs);
/* The RIP after an instruction of len bytes at the current one, wrapped as the code segment's
 * size says (64, 32 or 16 bits). */
uint64_t cpu_rip_after(const struct kvm_regs *regs, const struct kvm_sregs *sregs, unsigned len);

/* Every register gdb sees. */
int cpu_regs_read(struct vcpu *vcpu, struct x86_regs *regs);
/* Only the general, segment and control registers (no FPU, no MSRs). */
int cpu_regs_read_core(struct vcpu *vcpu, struct x86_regs *regs);
/* Write what differs between old (what cpu_regs_read gave) and regs. */
int cpu_regs_write(struct vcpu *vcpu, const struct x86_regs *old, const struct x86_regs *regs);
/* Any MSR, by ioctl; a write keeps the cache honest (EFER and APIC_BASE live in sregs). */
int cpu_msr_read(struct vcpu *vcpu, uint32_t index, uint64_t *value);
int cpu_msr_write(struct vcpu *vcpu, uint32_t index, uint64_t value);

#endif
