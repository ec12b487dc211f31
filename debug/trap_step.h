/* debug/trap_step.h — running an instruction that sits in a trapped page.
 *
 * A page taken out of KVM's memory map (vm/memslots.h) for a memory-trap watchpoint cannot
 * hold code KVM runs: fetching from it fails as an emulation failure. The vCPU then parks
 * every other vCPU (runctl_pause_others), maps the page back, single-steps that one
 * instruction, maps the page out again, lets the others go, and reports a write watchpoint if
 * the instruction changed watched bytes there (reads by that instruction are not seen). The
 * others never run while the page is mapped, so no access of theirs escapes the watchpoint,
 * and a trap step spans exactly one KVM_RUN: it never outlives a stop.
 */
#ifndef KVMSTUB_DEBUG_TRAP_STEP_H
#define KVMSTUB_DEBUG_TRAP_STEP_H

#include <stdbool.h>
#include <stdint.h>

#include "base/x86.h"

struct vcpu;

struct trap_step {
    bool active;
    uint64_t page;       /* guest physical */
    uint64_t failed_rip; /* the last trap step at this linear rip failed: do not retry it */
    bool failed;
    uint8_t before[X86_PAGE_SIZE];
};

/* After an emulation failure at linear rip: when the instruction is in a trapped page (and
 * stepping it did not just fail), start stepping it with the page mapped and return true. */
bool trap_step_begin(struct vcpu *vcpu, uint64_t rip);
/* This vCPU single-steps for a trap step now. */
bool trap_step_active(const struct vcpu *vcpu);
/* KVM_RUN returned during a trap step (whatever the exit): map the page out again, let the
 * others run, and report a watchpoint the instruction wrote to. True when one was reported. */
bool trap_step_end(struct vcpu *vcpu);

#endif
