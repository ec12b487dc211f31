/* debug/step_aside.c — step one instruction past the debugger's own artifacts. */
#include "debug/step_aside.h"

#include <string.h>

#include "base/diag.h"
#include "base/x86.h"
#include "debug/guest_debug.h"
#include "vm/memslots.h"
#include "vm/runctl.h"
#include "vm/vm.h"
#include "vm/x86/cpu_regs.h"
#include "vm/x86/dr7.h"
#include "vm/x86/linear_mem.h"

static struct step_aside *aside_of(const struct vcpu *vcpu)
{
    return &((struct vcpu_debug *)vcpu->debug)->aside;
}

bool step_aside_active(const struct vcpu *vcpu)
{
    return vcpu->debug && aside_of(vcpu)->kind != STEP_ASIDE_NONE;
}

unsigned step_aside_dr_mask(const struct vcpu *vcpu)
{
    const struct step_aside *a = aside_of(vcpu);
    return a->kind == STEP_ASIDE_DR ? a->dr_mask : 0;
}

/* Map the page at gpa back for one step; the others are parked until step_aside_end. */
static bool step_aside_begin_page(struct vcpu *vcpu, uint64_t gpa)
{
    struct vm *vm = vcpu->vm;
    struct step_aside *a = aside_of(vcpu);
    uint64_t page = x86_page_of(gpa);
    struct kvm_regs r;
    struct kvm_sregs s;
    if (cpu_get_regs(vcpu, &r) < 0 || cpu_get_sregs(vcpu, &s) < 0)
        return false;
    runctl_pause_others(vcpu);
    if (!ram_read(&vm->ram, page, a->before, X86_PAGE_SIZE) ||
        memslots_exempt(vm, vcpu, page) < 0) {
        runctl_unpause_others(vcpu);
        return false;
    }
    a->pc = cpu_pc_linear(&r, &s);
    a->repeats = 0;
    a->page = page;
    a->kind = STEP_ASIDE_PAGE;
    return true;
}

bool step_aside_page(struct vcpu *vcpu, uint64_t rip)
{
    struct step_aside *a = aside_of(vcpu);
    struct pagewalk_result walk;
    if (a->kind != STEP_ASIDE_NONE || (a->failed && a->failed_rip == rip))
        return false;
    if (vcpu_translate(vcpu, rip, &walk) < 0)
        return false;
    if (!memslots_page_trapped(vcpu->vm, walk.gpa)) {
        /* An instruction that starts near the end of its page and runs into the next one
         * fails in the fetch of its tail when that page is the trapped one. */
        uint64_t next = x86_page_of(rip) + X86_PAGE_SIZE;
        if (next - rip >= X86_INSN_MAX_BYTES || vcpu_translate(vcpu, next, &walk) < 0 ||
            !memslots_page_trapped(vcpu->vm, walk.gpa))
            return false;
    }
    a->failed_rip = rip;
    return step_aside_begin_page(vcpu, walk.gpa);
}

bool step_aside_breakpoint(struct vcpu *vcpu, const struct breakpoint *b)
{
    struct vm *vm = vcpu->vm;
    struct step_aside *a = aside_of(vcpu);
    if (a->kind != STEP_ASIDE_NONE)
        return false;
    switch (b->mech) {
    case MECH_EXEC_TRAP: return step_aside_begin_page(vcpu, b->gpa);
    case MECH_INT3:
        runctl_pause_others(vcpu);
        if (!ram_write(&vm->ram, b->gpa, &b->saved, 1)) {
            runctl_unpause_others(vcpu);
            return false;
        }
        a->gpa = b->gpa;
        a->kind = STEP_ASIDE_INT3;
        return true;
    case MECH_DEBUG_REG:
        a->dr_mask = 0;
        for (int s = 0; s < b->nslots; s++)
            a->dr_mask |= 1u << b->slots[s];
        a->kind = STEP_ASIDE_DR;
        return true;
    case MECH_MEMORY_TRAP:
    case MECH_WAITING: break;
    }
    return false;
}

/* A write the stepped instruction made to watched bytes of the page it ran from. */
static bool step_aside_page_watch(struct vcpu *vcpu, const struct step_aside *a)
{
    struct vm *vm = vcpu->vm;
    const uint8_t *now = ram_ptr(&vm->ram, a->page, X86_PAGE_SIZE);
    for (uint64_t i = 0; now && i < X86_PAGE_SIZE; i++) {
        if (now[i] == a->before[i])
            continue;
        uint64_t hit_addr;
        const struct breakpoint *b = bp_watch_hit(&vm->debug->bps, a->page + i, 1, true, &hit_addr);
        if (b) {
            guest_debug_report(vcpu, b->type, hit_addr);
            return true;
        }
    }
    return false;
}

/* Iterations of one REP string instruction stepped with its page mapped before the others run
 * again (they are paused meanwhile): a bound on how long they wait. */
#define STEP_ASIDE_MAX_REPEATS 4096

/* Whether the instruction at linear pc is a REP string instruction (base/x86.h). */
static bool rep_string_at(struct vcpu *vcpu, uint64_t pc)
{
    uint8_t b[X86_INSN_MAX_BYTES];
    size_t n = vcpu_mem_copy(vcpu, pc, b, sizeof(b), false);
    return x86_is_rep_string(b, (unsigned)n);
}

/* A REP string instruction traps after each iteration, its pc unchanged until the last: under
 * a continue (not gdb's stepi, which takes one iteration) its page stays mapped and the step
 * goes on, instead of two memory-map changes and a trapped fetch per iteration (a kernel's
 * clear_bss in an exec-trapped page took 3.5 ms an iteration in the lane). */
static bool step_aside_page_repeats(struct vcpu *vcpu, struct step_aside *a)
{
    const struct kvm_run *run = vcpu->run;
    struct kvm_regs r;
    struct kvm_sregs s;
    return run->exit_reason == KVM_EXIT_DEBUG && (run->debug.arch.dr6 & DR6_BS) &&
           !guest_debug_gdb_steps(vcpu) && !vcpu->vm->debug->record.on &&
           !runctl_stop_reported(vcpu->vm) && a->repeats < STEP_ASIDE_MAX_REPEATS &&
           cpu_get_regs(vcpu, &r) == 0 && cpu_get_sregs(vcpu, &s) == 0 &&
           cpu_pc_linear(&r, &s) == a->pc && rep_string_at(vcpu, a->pc) && ++a->repeats;
}

bool step_aside_end(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    struct step_aside *a = aside_of(vcpu);
    enum step_aside_kind kind = a->kind;
    a->kind = STEP_ASIDE_NONE;
    switch (kind) {
    case STEP_ASIDE_NONE:
    case STEP_ASIDE_DR: return false;
    case STEP_ASIDE_INT3: {
        uint8_t int3 = X86_INSN_INT3;
        ram_write(&vm->ram, a->gpa, &int3, 1);
        runctl_unpause_others(vcpu);
        return false;
    }
    case STEP_ASIDE_PAGE:
        if (step_aside_page_repeats(vcpu, a)) {
            a->kind = STEP_ASIDE_PAGE;
            return false;
        }
        /* An instruction that fails even with its page mapped must not be stepped again. */
        a->failed = vcpu->run->exit_reason == KVM_EXIT_INTERNAL_ERROR;
        if (memslots_exempt(vm, vcpu, MEMSLOT_NONE) < 0)
            diag("could not trap page 0x%llx again: its breakpoints and watchpoints are blind",
                 (unsigned long long)a->page);
        runctl_unpause_others(vcpu);
        return step_aside_page_watch(vcpu, a);
    }
    return false;
}
