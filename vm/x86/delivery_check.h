/* vm/x86/delivery_check.h — whether the CPU could deliver an exception from a vCPU's current
 * state, and if not, why and which exception that failure raises: the gate, its code segment,
 * the stack it pushes to. Reads only.
 *
 * For the story of a triple fault (debug/shutdown_chain.c): where KVM keeps the vCPU's state
 * through a shutdown, that state is where the fault chain began, and the chain is the
 * exceptions whose delivery fails from there, ending in a #DF whose delivery fails too. */
#ifndef KVMSTUB_VM_X86_DELIVERY_CHECK_H
#define KVMSTUB_VM_X86_DELIVERY_CHECK_H

#include <stddef.h>
#include <stdint.h>

struct vcpu;

enum delivery {
    DELIVERY_UNKNOWN = -1, /* not told: the state cannot be read (why empty), or the delivery
                              is one these checks do not follow (why says which) */
    DELIVERY_OK = 0,       /* it would reach its handler (*handler) */
    DELIVERY_FAULTS = 1,   /* it would fault: why says how, *raised is the exception raised */
};

/* Check the delivery of exception `vector` (0-31) from the vCPU's current state, as the CPU
 * makes it in long and protected mode (in real mode: the IVT entry and the stack). */
enum delivery delivery_check(struct vcpu *vcpu, int vector, uint64_t *handler, int *raised,
                             char *why, size_t len);

#endif
