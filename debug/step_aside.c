/* debug/step_aside.c — step past the debugger's own artifacts (and on through a trapped page). */
#include "debug/step_aside.h"

#include <string.h>

#include "base/diag.h"
#include "base/x86.h"
#include "debug/guest_debug.h"
#include "vm/memslots.h"
#include "vm/runctl.h"
#include "vm/vm.h"
#include "vm/x86/cpu_mode.h"
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

/* Map the page at gpa back for a step of the instruction at linear pc; the others are parked
 * until step_aside_end lets them go. */
static enum aside_start step_aside_begin_page(struct vcpu *vcpu, uint64_t gpa, uint64_t pc)
{
    struct vm *vm = vcpu->vm;
    struct step_aside *a = aside_of(vcpu);
    uint64_t page = x86_page_of(gpa);
    if (!runctl_pause_others(vcpu))
        return ASIDE_BACKED_OUT;
    if (!ram_read(&vm->ram, page, a->before, X86_PAGE_SIZE) ||
        memslots_exempt(vm, vcpu, page) < 0) {
        runctl_unpause_others(vcpu);
        return ASIDE_CANNOT;
    }
    a->pc = pc;
    a->steps = 0;
    a->goes_on = !bp_page_holds_data(&vm->debug->bps, page);
    a->page = page;
    a->kind = STEP_ASIDE_PAGE;
    return ASIDE_BEGUN;
}

enum aside_start step_aside_page(struct vcpu *vcpu, uint64_t rip)
{
    struct step_aside *a = aside_of(vcpu);
    struct pagewalk_result walk;
    if (a->kind != STEP_ASIDE_NONE || (a->failed && a->pc == rip))
        return ASIDE_CANNOT;
    if (vcpu_translate(vcpu, rip, &walk) < 0)
        return ASIDE_CANNOT;
    if (!memslots_page_trapped(vcpu->vm, walk.gpa)) {
        /* An instruction that starts near the end of its page and runs into the next one
         * fails in the fetch of its tail when that page is the trapped one. */
        uint64_t next = x86_page_of(rip) + X86_PAGE_SIZE;
        if (next - rip >= X86_INSN_MAX_BYTES || vcpu_translate(vcpu, next, &walk) < 0 ||
            !memslots_page_trapped(vcpu->vm, walk.gpa))
            return ASIDE_CANNOT;
    }
    return step_aside_begin_page(vcpu, walk.gpa, rip);
}

enum aside_start step_aside_breakpoint(struct vcpu *vcpu, const struct breakpoint *b)
{
    struct vm *vm = vcpu->vm;
    struct step_aside *a = aside_of(vcpu);
    if (a->kind != STEP_ASIDE_NONE)
        return ASIDE_CANNOT;
    switch (b->mech) {
    case MECH_EXEC_TRAP: return step_aside_begin_page(vcpu, b->gpa, b->addr); /* it is at b */
    case MECH_INT3:
        if (!runctl_pause_others(vcpu))
            return ASIDE_BACKED_OUT;
        if (!ram_write(&vm->ram, b->gpa, &b->saved, 1)) {
            runctl_unpause_others(vcpu);
            return ASIDE_CANNOT;
        }
        a->gpa = b->gpa;
        a->kind = STEP_ASIDE_INT3;
        return ASIDE_BEGUN;
    case MECH_DEBUG_REG:
        a->dr_mask = 0;
        for (int s = 0; s < b->nslots; s++)
            a->dr_mask |= 1u << b->slots[s];
        a->kind = STEP_ASIDE_DR;
        return ASIDE_BEGUN;
    case MECH_MEMORY_TRAP:
    case MECH_WAITING: break;
    }
    return ASIDE_CANNOT;
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

/* Instructions stepped with a trapped page mapped before the others run again (they are paused
 * meanwhile): a bound on how long they wait. */
#define STEP_ASIDE_MAX_STEPS 4096

/* Whether the instruction at linear pc is a REP string instruction (base/x86.h). */
static bool rep_string_at(struct vcpu *vcpu, uint64_t pc)
{
    uint8_t b[X86_INSN_MAX_BYTES];
    struct kvm_sregs s;
    size_t n = vcpu_mem_copy(vcpu, pc, b, sizeof(b), false);
    bool mode64 = cpu_get_sregs(vcpu, &s) == 0 && cpu_mode_current(&s) == CPU_MODE_LONG64;
    return x86_is_rep_string(b, (unsigned)n, mode64);
}

/* Under a continue (not gdb's stepi or range step, not while recording, not once a stop is
 * reported), a step out of a trapped page that ends in that same page, at no breakpoint, goes
 * on with the page still mapped: one single-step exit an instruction, instead of a trapped
 * fetch and two memory-map changes (in the lane, 3.5 ms an instruction: the kernel's clear_bss,
 * one `rep stosb` iteration a step, and its busy pages of init code took minutes). A REP string
 * instruction, whose pc stays put until its last iteration, is a case of it. It ends:
 * - at a breakpoint at the next pc, so that a fetch trap or the landing rule (guest_debug.c)
 *   reports it, or at an instruction within X86_INSN_MAX_BYTES of the page's end (it may run
 *   into the next page);
 * - at an exit that is not the step's trap alone: an access, a debug-register hit, a #BP;
 * - after STEP_ASIDE_MAX_STEPS instructions.
 * With other vCPUs (they are paused meanwhile) only a REP string instruction goes on, an
 * iteration at a time, as before this was general: their pause is not held across other code,
 * where a spin-wait would spend its 4096 steps waiting for them.
 * Only where KVM blocks interrupts while stepping (KVM_GUESTDBG_BLOCKIRQ): without it an
 * interrupt would be delivered with the page mapped and its handler would run past the page's
 * breakpoints. Not in a page holding an INT3 or watched bytes (goes_on): there the trap, or
 * the write protection, is what sees the guest's accesses. */
static bool step_aside_page_goes_on(struct vcpu *vcpu, struct step_aside *a)
{
    struct vm *vm = vcpu->vm;
    const struct kvm_run *run = vcpu->run;
    const struct kvm_debug_exit_arch *d = &run->debug.arch;
    bool plain_step = run->exit_reason == KVM_EXIT_DEBUG && d->exception == X86_VECTOR_DB &&
                      (d->dr6 & DR6_BS) && !(d->dr6 & DR6_B_ANY);
    bool under_continue =
        !guest_debug_gdb_steps(vcpu) && !vm->debug->record.on && !runctl_stop_reported(vm);
    if (!plain_step || !under_continue || !a->goes_on || a->steps >= STEP_ASIDE_MAX_STEPS ||
        !(vm->guest_debug_caps & KVM_GUESTDBG_BLOCKIRQ))
        return false;
    struct kvm_regs r;
    struct kvm_sregs s;
    struct pagewalk_result walk;
    if (cpu_get_regs(vcpu, &r) < 0 || cpu_get_sregs(vcpu, &s) < 0)
        return false;
    uint64_t pc = cpu_pc_linear(&r, &s);
    if (bp_find_code(&vm->debug->bps, pc) || vcpu_translate(vcpu, pc, &walk) < 0 ||
        x86_page_of(walk.gpa) != a->page ||
        x86_page_of(pc + X86_INSN_MAX_BYTES - 1) != x86_page_of(pc))
        return false;
    if (vm->ncpus > 1 && (pc != a->pc || !rep_string_at(vcpu, pc)))
        return false; /* with others: a REP's next iteration only */
    a->steps++;
    a->pc = pc;
    return true;
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
        if (step_aside_page_goes_on(vcpu, a)) {
            a->kind = STEP_ASIDE_PAGE;
            return false;
        }
        /* An instruction KVM cannot emulate even with its page mapped must not be stepped
         * again (a delivery that failed is another matter: guest_debug.c retries it). */
        a->failed = vcpu->run->exit_reason == KVM_EXIT_INTERNAL_ERROR &&
                    vcpu->run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION;
        if (memslots_exempt(vm, vcpu, MEMSLOT_NONE) < 0)
            diag("could not trap page 0x%llx again: its breakpoints and watchpoints are blind",
                 (unsigned long long)a->page);
        runctl_unpause_others(vcpu);
        return step_aside_page_watch(vcpu, a);
    }
    return false;
}
