/* vm/x86/exception.h — software delivery of an exception through the guest's IDT (or IVT). */
#ifndef KVMSTUB_VM_X86_EXCEPTION_H
#define KVMSTUB_VM_X86_EXCEPTION_H

#include <stdint.h>

struct vcpu;

/* Deliver exception `vector` (no error code) as the CPU would, with return_rip pushed as the
 * return address. Returns 0, or -1 when the guest's tables do not allow a simple delivery
 * (missing gate, privilege change in 32-bit mode): the caller then lets KVM inject it. */
int exception_deliver(struct vcpu *vcpu, int vector, uint64_t return_rip);

#endif
