/* vm/kvm.h — opening /dev/kvm and checking what the host's KVM can do. */
#ifndef KVMSTUB_VM_KVM_H
#define KVMSTUB_VM_KVM_H

#include <stdbool.h>

struct vm;

/* Open /dev/kvm, check the API version and the capabilities kvmstub needs, create the VM fd. */
int kvm_open_vm(struct vm *vm);

#endif
