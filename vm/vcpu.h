/* vm/vcpu.h — vCPU creation, the per-vCPU thread and its exit loop. */
#ifndef KVMSTUB_VM_VCPU_H
#define KVMSTUB_VM_VCPU_H

struct vm;
struct vcpu;

int vcpu_create(struct vm *vm, int id);
int vcpu_start_thread(struct vcpu *vcpu);
void vcpu_destroy(struct vcpu *vcpu);

#endif
