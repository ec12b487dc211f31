/* vm/cpu_regs.h — read and write a vCPU's registers in the debugger's form. */
#ifndef KVMSTUB_VM_CPU_REGS_H
#define KVMSTUB_VM_CPU_REGS_H

#include <stdint.h>

#include "stub/target.h"

struct vcpu;

int cpu_regs_read(struct vcpu *vcpu, struct x86_regs *regs);
/* Write what differs between old (what cpu_regs_read gave) and regs. */
int cpu_regs_write(struct vcpu *vcpu, const struct x86_regs *old, const struct x86_regs *regs);
int cpu_msr_read(struct vcpu *vcpu, uint32_t index, uint64_t *value);
int cpu_msr_write(struct vcpu *vcpu, uint32_t index, uint64_t value);

#endif
