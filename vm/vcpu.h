/* vm/vcpu.h — vCPU creation, the per-vCPU thread and its exit loop. */
#ifndef KVMSTUB_VM_VCPU_H
#define KVMSTUB_VM_VCPU_H

struct vm;
struct vcpu;

int vcpu_create(struct vm *vm, int id);
int vcpu_start_thread(struct vcpu *vcpu);
/* Single-step a parked vCPU in the calling thread until the step has stopped (after
 * runctl_begin_inline_step). */
void vcpu_step_here(struct vcpu *vcpu);
void vcpu_destroy(struct vcpu *vcpu);

#endif
