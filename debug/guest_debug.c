/* debug/guest_debug.c — guest debugging at the vCPUs: KVM_SET_GUEST_DEBUG before running,
 * and the exits it produces (breakpoints, single-steps, accesses to trapped pages). These are
 * the hooks vm/ calls (struct vm_debug_ops); they run on whichever thread drives the vCPU. */
#include "debug/guest_debug.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "base/diag.h"
#include "base/x86.h"
#include "vm/runctl.h"
#include "vm/vm.h"

static struct vcpu_debug *vcpu_debug_of(const struct vcpu *vcpu)
{
    return vcpu->debug;
}

void guest_debug_changed(struct vm *vm)
{
    __atomic_add_fetch(&vm->debug->gen, 1, __ATOMIC_RELEASE);
}

void guest_debug_set_attached(struct vm *vm, bool attached)
{
    if (runctl_attached(vm) == attached)
        return;
    runctl_set_attached(vm, attached);
    guest_debug_changed(vm);
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

void guest_debug_report(struct vcpu *vcpu, enum bp_type type, uint64_t addr)
{
    struct stop_event ev = {.kind = stop_kind_of(type),
                            .thread = vcpu->id + 1,
                            .signal = GDB_SIGNAL_TRAP,
                            .addr = addr};
    runctl_report_stop(vcpu, &ev);
}

/* Before KVM_RUN: apply breakpoints, watchpoints and single-step when they changed. */
static int gd_prepare(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    struct vcpu_debug *vd = vcpu_debug_of(vcpu);
    /* action is RESUME_STEP only when a debugger asked for a step. */
    bool step = vcpu->action == RESUME_STEP || trap_step_active(vcpu);
    uint64_t gen = __atomic_load_n(&vm->debug->gen, __ATOMIC_ACQUIRE);
    if (vd->gen == gen && vd->step == step && !vd->inject_bp)
        return 0;
    struct kvm_guest_debug dbg;
    memset(&dbg, 0, sizeof(dbg));
    if (runctl_attached(vm)) {
        const struct debug_regs_state *dr = &vm->debug->bps.dr;
        dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
        for (int i = 0; i < DR_NSLOTS; i++) {
            if (dr->used[i])
                dbg.control |= KVM_GUESTDBG_USE_HW_BP;
            dbg.arch.debugreg[i] = dr->addr[i];
        }
        dbg.arch.debugreg[7] = dr->dr7;
        if (step)
            dbg.control |= KVM_GUESTDBG_SINGLESTEP | (vm->guest_debug_caps & KVM_GUESTDBG_BLOCKIRQ);
        if (vd->inject_bp)
            dbg.control |= KVM_GUESTDBG_INJECT_BP;
    }
    if (ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg) < 0)
        return diag_errno("KVM_SET_GUEST_DEBUG (vCPU %d)", vcpu->id);
    vd->gen = gen;
    vd->step = step;
    vd->inject_bp = false;
    return 0;
}

/* A debug exit caused by one of our debug-register slots: its breakpoint, or NULL. */
static const struct breakpoint *gd_slot_hit(struct vcpu *vcpu, int *slot_out)
{
    const struct debug_state *d = vcpu->vm->debug;
    const struct kvm_debug_exit_arch *a = &vcpu->run->debug.arch;
    for (int slot = 0; slot < DR_NSLOTS; slot++) {
        if (!(a->dr6 & DR6_B(slot)) || !d->bps.dr.used[slot])
            continue;
        const struct breakpoint *b = bp_find_slot(&d->bps, slot);
        if (b) {
            *slot_out = slot;
            return b;
        }
    }
    return NULL;
}

/* Any exit after KVM_RUN: the end of a trap step is ours. */
static bool gd_exited(struct vcpu *vcpu)
{
    if (!trap_step_active(vcpu))
        return false;
    bool hit = trap_step_end(vcpu);
    if (vcpu->run->exit_reason != KVM_EXIT_DEBUG)
        return false; /* the instruction did I/O, halted, ...: that exit is handled as usual */
    int slot;
    if (gd_slot_hit(vcpu, &slot))
        return false; /* a breakpoint or watchpoint of ours fired as well */
    if (!hit && vcpu->action == RESUME_STEP)
        runctl_report_step(vcpu); /* gdb asked for this step itself */
    return true;
}

static void gd_debug_exit(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    const struct debug_state *d = vm->debug;
    const struct kvm_debug_exit_arch *a = &vcpu->run->debug.arch;
    if (a->exception == X86_VECTOR_BP) {
        const struct breakpoint *b = bp_find_sw(&d->bps, a->pc);
        if (b && b->mech == MECH_INT3)
            guest_debug_report(vcpu, BP_SOFTWARE, 0);
        else
            vcpu_debug_of(vcpu)->inject_bp = true; /* the guest's own INT3: hand it back */
        return;
    }
    int slot;
    const struct breakpoint *b = gd_slot_hit(vcpu, &slot);
    if (b) {
        guest_debug_report(vcpu, b->type, d->bps.dr.addr[slot]);
        return;
    }
    /* A single-step, or a debug exception we did not ask for: either way, stop. */
    runctl_report_step(vcpu);
}

static void gd_after_access(struct vcpu *vcpu)
{
    /* The access completed the instruction: a step is done (some hosts would run one more
     * instruction before their single-step trap). */
    if (vcpu->action == RESUME_STEP)
        runctl_report_step(vcpu);
}

static bool gd_emulation_failure(struct vcpu *vcpu, uint64_t rip, const uint8_t *bytes, unsigned n)
{
    struct vm *vm = vcpu->vm;
    /* An INT3 the host could not execute (emulating hosts, DESIGN.md §7): ours? */
    if (n >= 1 && bytes[0] == X86_INSN_INT3 && runctl_attached(vm)) {
        const struct breakpoint *b = bp_find_sw(&vm->debug->bps, rip);
        if (b && b->mech == MECH_INT3) {
            guest_debug_report(vcpu, BP_SOFTWARE, 0);
            return true;
        }
    }
    /* A breakpoint placed as an exec trap (its page left the map): the fetch at its address. */
    const struct breakpoint *b = bp_find_exec_trap(&vm->debug->bps, rip);
    if (b && runctl_attached(vm)) {
        guest_debug_report(vcpu, b->type, 0);
        return true;
    }
    /* Other code in a trapped page: step it with the page mapped. */
    return trap_step_begin(vcpu, rip);
}

void guest_debug_trapped_access(void *opaque, struct vcpu *vcpu, uint64_t gpa, bool is_write,
                                uint8_t *data, unsigned size)
{
    struct vm *vm = opaque;
    uint8_t *host = ram_ptr(&vm->ram, gpa, size);
    if (!host) {
        if (!is_write)
            memset(data, 0xFF, size);
        return;
    }
    if (is_write)
        memcpy(host, data, size);
    else
        memcpy(data, host, size);
    uint64_t hit_addr;
    const struct breakpoint *b = bp_watch_hit(&vm->debug->bps, gpa, size, is_write, &hit_addr);
    if (b && runctl_attached(vm))
        guest_debug_report(vcpu, b->type, hit_addr);
}

static void gd_vcpu_destroy(struct vcpu *vcpu)
{
    free(vcpu->debug);
    vcpu->debug = NULL;
}

static void gd_destroy(struct vm *vm)
{
    if (vm->debug)
        free(vm->debug->bps.items);
    free(vm->debug);
    vm->debug = NULL;
}

static const struct vm_debug_ops guest_debug_ops = {
    .prepare = gd_prepare,
    .exited = gd_exited,
    .debug_exit = gd_debug_exit,
    .after_access = gd_after_access,
    .emulation_failure = gd_emulation_failure,
    .vcpu_destroy = gd_vcpu_destroy,
    .destroy = gd_destroy,
};

int guest_debug_init(struct vm *vm)
{
    vm->debug = calloc(1, sizeof(*vm->debug));
    if (!vm->debug)
        return diag_errno("out of memory for the debugger state");
    vm->debug->paging = -1;
    vm->debug_ops = &guest_debug_ops; /* from here on, vm_destroy frees what follows */
    for (int i = 0; i < vm->ncpus; i++) {
        struct vcpu_debug *vd = calloc(1, sizeof(*vd));
        if (!vd)
            return diag_errno("out of memory for the debugger state");
        vd->gen = UINT64_MAX; /* apply the guest-debug state before the first run */
        vm->vcpus[i].debug = vd;
    }
    return 0;
}
