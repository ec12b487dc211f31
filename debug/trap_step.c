/* debug/trap_step.c — step an instruction out of a trapped page. */
#include "debug/trap_step.h"

#include <string.h>

#include "base/diag.h"
#include "debug/guest_debug.h"
#include "vm/memslots.h"
#include "vm/runctl.h"
#include "vm/vm.h"
#include "vm/x86/linear_mem.h"

static struct trap_step *trap_of(const struct vcpu *vcpu)
{
    return &((struct vcpu_debug *)vcpu->debug)->trap;
}

bool trap_step_active(const struct vcpu *vcpu)
{
    return vcpu->debug && trap_of(vcpu)->active;
}

bool trap_step_begin(struct vcpu *vcpu, uint64_t rip)
{
    struct vm *vm = vcpu->vm;
    struct trap_step *t = trap_of(vcpu);
    struct pagewalk_result walk;
    if (t->active || (t->failed && t->failed_rip == rip))
        return false;
    if (vcpu_translate(vcpu, rip, &walk) < 0 || !memslots_page_trapped(vm, walk.gpa))
        return false;
    uint64_t page = x86_page_of(walk.gpa);
    runctl_pause_others(vcpu);
    if (!ram_read(&vm->ram, page, t->before, X86_PAGE_SIZE) ||
        memslots_exempt(vm, vcpu, page) < 0) {
        runctl_unpause_others(vcpu);
        return false;
    }
    t->page = page;
    t->failed_rip = rip;
    t->active = true;
    return true;
}

bool trap_step_end(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    struct trap_step *t = trap_of(vcpu);
    if (!t->active)
        return false;
    t->active = false;
    /* An instruction that fails even with its page mapped must not be stepped again. */
    t->failed = vcpu->run->exit_reason == KVM_EXIT_INTERNAL_ERROR;
    if (memslots_exempt(vm, vcpu, MEMSLOT_NONE) < 0)
        diag("could not trap page 0x%llx again: its watchpoints are blind",
             (unsigned long long)t->page);
    runctl_unpause_others(vcpu);
    const uint8_t *now = ram_ptr(&vm->ram, t->page, X86_PAGE_SIZE);
    const struct debug_state *d = vm->debug;
    for (uint64_t i = 0; now && i < X86_PAGE_SIZE; i++) {
        if (now[i] == t->before[i])
            continue;
        uint64_t hit_addr;
        const struct breakpoint *b = bp_watch_hit(&d->bps, t->page + i, 1, true, &hit_addr);
        if (b) {
            guest_debug_report(vcpu, b->type, hit_addr);
            return true;
        }
    }
    return false;
}
