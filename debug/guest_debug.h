/* debug/guest_debug.h — what the vCPU loop asks of the debugger side of kvmstub. */
#ifndef KVMSTUB_DEBUG_GUEST_DEBUG_H
#define KVMSTUB_DEBUG_GUEST_DEBUG_H

#include <stdbool.h>
#include <stdint.h>

#include "stub/target.h"

struct vm;
struct vcpu;

/* A debugger is attached: stops go to it instead of ending the guest. */
bool guest_debug_attached(struct vm *vm);
/* Before KVM_RUN: apply this vCPU's guest-debug state (breakpoints, single-step) if changed. */
int guest_debug_prepare(struct vcpu *vcpu);
/* KVM_EXIT_DEBUG: a breakpoint, watchpoint or single-step; or a guest #BP to hand back. */
void guest_debug_handle_exit(struct vcpu *vcpu);
/* KVM_EXIT_MMIO on a page trapped for a watchpoint: perform the access, report hits.
 * False when the address is not a trapped page. */
bool guest_debug_handle_mmio(struct vcpu *vcpu);
/* After a port or MMIO access handled in userspace: when this vCPU is single-stepping, the
 * access completes the instruction, so report the step (some hosts would run one more
 * instruction before their single-step trap). */
void guest_debug_step_after_io(struct vcpu *vcpu);
/* Report a watchpoint of this type hit at linear addr. */
void guest_debug_report_watch(struct vcpu *vcpu, enum bp_type type, uint64_t addr);
/* This vCPU finished a single-step without a KVM_EXIT_DEBUG (kvmstub emulated it): report it. */
void guest_debug_step_done(struct vcpu *vcpu);
/* An INT3 the host could not execute (DESIGN.md §7) at rip: when it is one of our software
 * breakpoints, report the hit and return true. */
bool guest_debug_sw_breakpoint_hit(struct vcpu *vcpu, uint64_t rip);

#endif
