/* debug/guest_debug.c — guest debugging in the vCPU threads: KVM_SET_GUEST_DEBUG before running,
 * and the exits it produces (breakpoints, single-steps, watchpoint traps). */
#include "base/x86.h"
#include "debug/guest_debug.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "base/diag.h"
#include "debug/guest_debug_state.h"
#include "vm/memslots.h"
#include "vm/runctl.h"
#include "debug/trap_step.h"
#include "vm/vm.h"

int guest_debug_init(struct vm *vm)
{
    vm->debug = calloc(1, sizeof(*vm->debug));
    if (!vm->debug)
        return diag_errno("out of memory for the debugger state");
    vm->debug->paging = -1;
    return 0;
}

void guest_debug_destroy(struct vm *vm)
{
    if (vm->debug)
        free(vm->debug->bps.items);
    free(vm->debug);
    vm->debug = NULL;
}

void guest_debug_changed(struct vm *vm)
{
    __atomic_add_fetch(&vm->debug->gen, 1, __ATOMIC_RELEASE);
}

void guest_debug_set_attached(struct vm *vm, bool attached)
{
    pthread_mutex_lock(&vm->lock);
    vm->debugger_attached = attached;
    pthread_mutex_unlock(&vm->lock);
    if (vm->debug->attached != attached) {
        vm->debug->attached = attached;
        guest_debug_changed(vm);
    }
}

bool guest_debug_attached(struct vm *vm)
{
    pthread_mutex_lock(&vm->lock);
    bool attached = vm->debugger_attached;
    pthread_mutex_unlock(&vm->lock);
    return attached;
}

int guest_debug_prepare(struct vcpu *vcpu)
{
    struct debug_state *d = vcpu->vm->debug;
    if (!d)
        return 0;
    bool step = (vcpu->action == RESUME_STEP && d->attached) || trap_step_active(vcpu);
    uint64_t gen = __atomic_load_n(&d->gen, __ATOMIC_ACQUIRE);
    if (vcpu->debug_gen == gen && vcpu->debug_step == step && !vcpu->inject_bp)
        return 0;
    struct kvm_guest_debug dbg;
    memset(&dbg, 0, sizeof(dbg));
    if (d->attached) {
        const struct debug_regs_state *dr = &d->bps.dr;
        dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
        for (int i = 0; i < DR_NSLOTS; i++) {
            if (dr->used[i])
                dbg.control |= KVM_GUESTDBG_USE_HW_BP;
            dbg.arch.debugreg[i] = dr->addr[i];
        }
        dbg.arch.debugreg[7] = dr->dr7;
        if (step)
            dbg.control |=
                KVM_GUESTDBG_SINGLESTEP | (vcpu->vm->guest_debug_caps & KVM_GUESTDBG_BLOCKIRQ);
        if (vcpu->inject_bp)
            dbg.control |= KVM_GUESTDBG_INJECT_BP;
    }
    if (ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg) < 0)
        return diag_errno("KVM_SET_GUEST_DEBUG (vCPU %d)", vcpu->id);
    vcpu->debug_gen = gen;
    vcpu->debug_step = step;
    vcpu->inject_bp = false;
    return 0;
}

static void guest_debug_stop(struct vcpu *vcpu, enum stop_kind kind, uint64_t addr)
{
    struct stop_event ev = {
        .kind = kind, .thread = vcpu->id + 1, .signal = GDB_SIGNAL_TRAP, .addr = addr};
    runctl_report_stop(vcpu, &ev);
}

static enum stop_kind stop_kind_of(enum bp_type type);

void guest_debug_report_watch(struct vcpu *vcpu, enum bp_type type, uint64_t addr)
{
    guest_debug_stop(vcpu, stop_kind_of(type), addr);
}

static enum stop_kind stop_kind_of(enum bp_type type)
{
    switch (type) {
    case BP_SOFTWARE: return STOP_SWBREAK;
    case BP_HARDWARE: return STOP_HWBREAK;
    case WP_WRITE: return STOP_WATCH;
    case WP_READ: return STOP_RWATCH;
    case WP_ACCESS: return STOP_AWATCH;
    }
    return STOP_SIGNAL;
}

void guest_debug_handle_exit(struct vcpu *vcpu)
{
    struct debug_state *d = vcpu->vm->debug;
    const struct kvm_debug_exit_arch *a = &vcpu->run->debug.arch;
    if (!d) {
        guest_debug_stop(vcpu, STOP_SIGNAL, 0);
        return;
    }
    if (trap_step_end(vcpu))
        return;
    if (a->exception == X86_VECTOR_BP) {
        const struct breakpoint *b = bp_find_sw(&d->bps, a->pc);
        if (b && b->mech == MECH_INT3)
            guest_debug_stop(vcpu, STOP_SWBREAK, 0);
        else
            vcpu->inject_bp = true; /* the guest's own INT3: hand it back, silently */
        return;
    }
    for (int slot = 0; slot < DR_NSLOTS; slot++) {
        if (!(a->dr6 & DR6_B(slot)) || !d->bps.dr.used[slot])
            continue;
        const struct breakpoint *b = bp_find_slot(&d->bps, slot);
        if (b) {
            guest_debug_stop(vcpu, stop_kind_of(b->type), d->bps.dr.addr[slot]);
            return;
        }
    }
    /* A single-step, or a debug exception we did not ask for: either way, stop. */
    guest_debug_stop(vcpu, STOP_SIGNAL, 0);
}

bool guest_debug_handle_mmio(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    struct kvm_run *run = vcpu->run;
    uint64_t gpa = run->mmio.phys_addr;
    unsigned len = run->mmio.len;
    if (!vm->debug || !memslots_page_trapped(vm, gpa))
        return false;
    uint8_t *host = ram_ptr(&vm->ram, gpa, len);
    if (!host)
        return false;
    if (run->mmio.is_write)
        memcpy(host, run->mmio.data, len);
    else
        memcpy(run->mmio.data, host, len);
    vcpu->io_pending = true;
    uint64_t hit_addr;
    const struct breakpoint *b =
        bp_watch_hit(&vm->debug->bps, gpa, len, run->mmio.is_write, &hit_addr);
    if (b && vm->debug->attached)
        guest_debug_stop(vcpu, stop_kind_of(b->type), hit_addr);
    return true;
}

void guest_debug_step_after_io(struct vcpu *vcpu)
{
    const struct debug_state *d = vcpu->vm->debug;
    if (d && d->attached && vcpu->action == RESUME_STEP)
        guest_debug_stop(vcpu, STOP_SIGNAL, 0);
}

void guest_debug_step_done(struct vcpu *vcpu)
{
    guest_debug_stop(vcpu, STOP_SIGNAL, 0);
}

bool guest_debug_sw_breakpoint_hit(struct vcpu *vcpu, uint64_t rip)
{
    struct debug_state *d = vcpu->vm->debug;
    if (!d || !d->attached)
        return false;
    const struct breakpoint *b = bp_find_sw(&d->bps, rip);
    if (!b || b->mech != MECH_INT3)
        return false;
    guest_debug_stop(vcpu, STOP_SWBREAK, 0);
    return true;
}
