/* debug/step_aside.h — single-step an instruction with one of the debugger's own artifacts
 * moved aside: a trapped page mapped back, an INT3 lifted, a debug-register breakpoint masked.
 *
 * Code in a trapped page (vm/memslots.h) cannot be fetched: the fetch fails as an emulation
 * failure. A breakpoint that is not to stop (its condition is false, or it is a dprintf) sits
 * on the instruction the vCPU must run next. Either way the vCPU parks every other vCPU
 * (runctl_pause_others), moves the artifact aside, single-steps that one instruction, puts the
 * artifact back and lets the others go. For a page it then reports a write watchpoint if the
 * instruction changed watched bytes there (reads by that instruction are not seen). The others
 * never run while the artifact is aside, so none of them misses it, and a step aside never
 * outlives a stop. Under a continue a page stays mapped while the vCPU steps on in it, at no
 * breakpoint, up to a bound (step_aside_page_goes_on says where it stops). A debug-register
 * breakpoint is masked for this vCPU only, so the others keep running.
 */
#ifndef KVMSTUB_DEBUG_STEP_ASIDE_H
#define KVMSTUB_DEBUG_STEP_ASIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/x86.h"

struct vcpu;
struct breakpoint;

enum step_aside_kind {
    STEP_ASIDE_NONE,
    STEP_ASIDE_PAGE, /* a trapped page mapped back (code in it, or an exec-trap breakpoint) */
    STEP_ASIDE_INT3, /* an INT3 replaced by its original byte */
    STEP_ASIDE_DR,   /* debug-register slots masked for this vCPU */
};

struct step_aside {
    enum step_aside_kind kind;
    uint64_t page;    /* PAGE: guest physical */
    uint64_t gpa;     /* INT3: where the INT3 is */
    unsigned dr_mask; /* DR: the slots masked */
    uint64_t pc;      /* PAGE: linear address of the instruction stepped last */
    unsigned steps;   /* PAGE: instructions stepped on in the page after the first */
    bool goes_on;     /* PAGE: stepping may go on in it (no INT3 or watched bytes there) */
    bool failed;      /* PAGE: it failed even with its page mapped: do not retry it */
    uint8_t before[X86_PAGE_SIZE]; /* PAGE: the page before the step */
};

/* How a start went. A step aside waits for the others' pause (runctl_pause_others); when a stop
 * came and went meanwhile, what the exit said may be stale: the vCPU backs out, runs again and
 * exits again, and that exit decides afresh. */
enum aside_start {
    ASIDE_CANNOT,     /* not this exit's case: the caller handles it otherwise */
    ASIDE_BEGUN,      /* the vCPU single-steps the instruction when it runs next */
    ASIDE_BACKED_OUT, /* nothing done: the vCPU just runs again */
};

/* After an emulation failure at linear rip: when the instruction is in a trapped page or runs
 * into one (and stepping it did not just fail), start stepping it with that page mapped. */
enum aside_start step_aside_page(struct vcpu *vcpu, uint64_t rip);
/* Start stepping the instruction under breakpoint b (at the vCPU's rip) with b aside. */
enum aside_start step_aside_breakpoint(struct vcpu *vcpu, const struct breakpoint *b);
/* This vCPU single-steps for a step aside now; the slots it masks (for KVM_SET_GUEST_DEBUG). */
bool step_aside_active(const struct vcpu *vcpu);
unsigned step_aside_dr_mask(const struct vcpu *vcpu);
/* KVM_RUN returned during a step aside (whatever the exit): put the artifact back, let the
 * others run, and report a watchpoint the instruction wrote to. True when one was reported. */
bool step_aside_end(struct vcpu *vcpu);

#endif
