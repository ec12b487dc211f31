/* debug/trap_step.h — running an instruction that sits in a page trapped for a watchpoint.
 *
 * A page taken out of KVM's memory map for a memory-trap watchpoint (debug/breakpoints.h) cannot
 * hold code KVM runs: fetching from it fails as an emulation failure. kvmstub then puts the
 * page back, single-steps that one instruction, traps the page again, and reports a write
 * watchpoint if the instruction changed watched bytes there (reads by that instruction are not
 * seen). */
#ifndef KVMSTUB_DEBUG_TRAP_STEP_H
#define KVMSTUB_DEBUG_TRAP_STEP_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* After an emulation failure at linear rip: when the instruction is in a trapped page, start
 * stepping it with the page mapped and return true. */
bool trap_step_begin(struct vcpu *vcpu, uint64_t rip);
/* This vCPU single-steps for a trap step now (guest_debug_prepare must enable single-step). */
bool trap_step_active(const struct vcpu *vcpu);
/* The single-step of a trap step completed: trap the page again and report what it did.
 * Returns true when the exit was consumed this way. */
bool trap_step_end(struct vcpu *vcpu);
void trap_step_free(struct vcpu *vcpu);

#endif
