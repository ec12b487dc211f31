/* vm/x86/cpu_regs.h — read and write a vCPU's registers in the debugger's form. */
#ifndef KVMSTUB_VM_X86_CPU_REGS_H
#define KVMSTUB_VM_X86_CPU_REGS_H

#include <stdint.h>

#include "stub/target.h"

struct vcpu;

struct kvm_regs;
struct kvm_sregs;

/* General and segment/control registers: from the copy KVM leaves in kvm_run at every exit
 * (KVM_CAP_SYNC_REGS, enabled under a debugger; an ioctl costs several microseconds on some
 * hosts), else by ioctl. The setters keep the copy honest. All print a message on failure. */
int cpu_get_regs(struct vcpu *vcpu, struct kvm_regs *regs);
int cpu_get_sregs(struct vcpu *vcpu, struct kvm_sregs *sregs);
int cpu_set_regs(struct vcpu *vcpu, const struct kvm_regs *regs);
int cpu_set_sregs(struct vcpu *vcpu, const struct kvm_sregs *sregs);
/* KVM_RUN returned: the copy in kvm_run is the vCPU's state again. */
void cpu_regs_exited(struct vcpu *vcpu);

int cpu_regs_read(struct vcpu *vcpu, struct x86_regs *regs);
/* Only the general, segment and control registers (no FPU, no MSRs). */
int cpu_regs_read_core(struct vcpu *vcpu, struct x86_regs *regs);
/* Write what differs between old (what cpu_regs_read gave) and regs. */
int cpu_regs_write(struct vcpu *vcpu, const struct x86_regs *old, const struct x86_regs *regs);
int cpu_msr_read(struct vcpu *vcpu, uint32_t index, uint64_t *value);
int cpu_msr_write(struct vcpu *vcpu, uint32_t index, uint64_t value);

#endif
