/* debug/trap_step.c — step an instruction out of a page trapped for a watchpoint. */
#include "base/x86.h"
#include "debug/trap_step.h"

#include <stdlib.h>
#include <string.h>

#include "debug/breakpoints.h"
#include "base/diag.h"
#include "debug/guest_debug.h"
#include "debug/guest_debug_state.h"
#include "vm/x86/linear_mem.h"
#include "vm/memslots.h"
#include "vm/runctl.h"
#include "vm/vm.h"

struct trap_step {
    bool active;
    uint64_t page; /* guest physical */
    uint8_t before[X86_PAGE_SIZE];
};

bool trap_step_active(const struct vcpu *vcpu)
{
    return vcpu->trap_step && vcpu->trap_step->active;
}

bool trap_step_begin(struct vcpu *vcpu, uint64_t rip)
{
    struct vm *vm = vcpu->vm;
    struct pagewalk_result walk;
    if (!vm->debug || trap_step_active(vcpu) || vcpu_translate(vcpu, rip, &walk) < 0 ||
        !memslots_page_trapped(vm, walk.gpa))
        return false;
    if (!vcpu->trap_step && !(vcpu->trap_step = calloc(1, sizeof(*vcpu->trap_step)))) {
        diag_errno("out of memory to step through a trapped page");
        return false;
    }
    struct trap_step *t = vcpu->trap_step;
    t->page = x86_page_of(walk.gpa);
    if (!ram_read(&vm->ram, t->page, t->before, X86_PAGE_SIZE) ||
        memslots_untrap_page(vm, t->page) < 0)
        return false;
    t->active = true;
    return true;
}

bool trap_step_end(struct vcpu *vcpu)
{
    if (!trap_step_active(vcpu))
        return false;
    struct vm *vm = vcpu->vm;
    struct trap_step *t = vcpu->trap_step;
    t->active = false;
    if (memslots_trap_page(vm, t->page) < 0)
        diag("could not trap page 0x%llx again: its watchpoints are blind",
             (unsigned long long)t->page);
    const uint8_t *now = ram_ptr(&vm->ram, t->page, X86_PAGE_SIZE);
    for (uint64_t i = 0; now && i < X86_PAGE_SIZE; i++) {
        if (now[i] == t->before[i])
            continue;
        uint64_t hit_addr;
        const struct breakpoint *b = bp_watch_hit(&vm->debug->bps, t->page + i, 1, true, &hit_addr);
        if (b) {
            guest_debug_report_watch(vcpu, b->type, hit_addr);
            return true;
        }
    }
    if (vcpu->action == RESUME_STEP)
        guest_debug_step_done(vcpu); /* gdb asked for this step itself */
    return true;
}

void trap_step_free(struct vcpu *vcpu)
{
    free(vcpu->trap_step);
    vcpu->trap_step = NULL;
}
