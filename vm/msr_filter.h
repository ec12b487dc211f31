/* vm/msr_filter.h — KVM's MSR filter: the guest's accesses to chosen MSRs exit to kvmstub
 * (KVM_X86_SET_MSR_FILTER with KVM_CAP_X86_USER_SPACE_MSR), which performs them through
 * KVM_GET_MSRS / KVM_SET_MSRS and tells the debugger (MSR breakpoints, debug/access_breaks.h).
 *
 * Rule: the filter is set only by the controller while every vCPU is parked (a monitor
 * command); KVM applies it to each vCPU on its next entry.
 */
#ifndef KVMSTUB_VM_MSR_FILTER_H
#define KVMSTUB_VM_MSR_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct vcpu;

/* At most this many entries (KVM_MSR_FILTER_MAX_RANGES: one range each). */
#define MSR_FILTER_MAX 16

struct msr_filter_entry {
    uint32_t msr;
    bool read, write; /* which of the guest's accesses exit */
};

/* Make exactly these MSR accesses exit (n = 0: none). On failure err says why (a host
 * without the filter, KVM refusing it) and the previous filter stays. Returns 0 or -1. */
int msr_filter_set(struct vm *vm, const struct msr_filter_entry *e, size_t n, char *err,
                   size_t errlen);

/* KVM_EXIT_X86_RDMSR / KVM_EXIT_X86_WRMSR: perform the access on the vCPU's MSR (a failure
 * gives the guest its #GP, as the CPU would) and let the debugger see it; KVM completes the
 * instruction on the next KVM_RUN. */
void msr_filter_handle_exit(struct vcpu *vcpu);

#endif
