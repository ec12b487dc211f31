/* debug/guest_debug.c — guest debugging at the vCPUs: KVM_SET_GUEST_DEBUG before running,
 * and the exits it produces (breakpoints, single-steps, accesses to trapped pages). These are
 * the hooks vm/ calls (struct vm_debug_ops); they run on whichever thread drives the vCPU. */
#include "debug/guest_debug.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "base/diag.h"
#include "base/x86.h"
#include "vm/host.h"
#include "vm/runctl.h"
#include "vm/vm.h"
#include "vm/x86/cpu_mode.h"
#include "vm/x86/cpu_regs.h"
#include "vm/x86/dr7.h"
#include "vm/x86/exception.h"
#include "vm/x86/linear_mem.h"
#include "vm/x86/own_step.h"

/* In kvm_run's debug exit before each run: no DR7 holds it (bits 63:32 are reserved, zero), so
 * an exit that leaves it wrote none (gd_trap_flag_kept). */
#define GD_DR7_UNSET (~0ULL)

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

void guest_debug_before_run(struct vm *vm, struct vcpu *current,
                            const struct resume_action *actions)
{
    catch_before_run(vm, current, actions);
    kaslr_before_run(vm);
    const struct host_debug_caps *caps = host_debug_caps(&vm->host, vm->kvm_fd);
    vm->debug->own_sti_step = !caps->step_sti_exact;
    vm->debug->tf_outlives_step = caps->step_keeps_tf;
    vm->debug->tf_needs_exit_dr7 = caps->step_exit_dr7 || vm->host.kind != HOST_EMULATING;
    for (int i = 0; i < vm->ncpus; i++)
        vcpu_debug_of(&vm->vcpus[i])->hit.valid = false; /* the access it stopped on */
}

void guest_debug_report(struct vcpu *vcpu, enum bp_type type, uint64_t addr)
{
    struct stop_event ev = {.kind = stop_kind_of(type),
                            .thread = vcpu->id + 1,
                            .signal = GDB_SIGNAL_TRAP,
                            .addr = addr};
    runctl_report_stop(vcpu, &ev);
}

bool guest_debug_gdb_steps(const struct vcpu *vcpu)
{
    return vcpu->action == RESUME_STEP || vcpu->action == RESUME_RANGE;
}

/* Whether the vCPU single-steps now: gdb asked (a step, or a range), kvmstub steps aside, or
 * execution is being recorded (every instruction is a position, debug/record.h). */
static bool gd_stepping(const struct vcpu *vcpu)
{
    return guest_debug_gdb_steps(vcpu) || step_aside_active(vcpu) || vcpu->vm->debug->record.on;
}

/* Whether the instruction at the vCPU's pc may change RFLAGS.TF itself (x86_may_change_tf):
 * also when it cannot be read. */
static bool gd_insn_may_change_tf(struct vcpu *vcpu, const struct kvm_regs *r,
                                  const struct kvm_sregs *s)
{
    uint8_t insn[X86_INSN_MAX_BYTES];
    size_t n = vcpu_mem_copy(vcpu, cpu_pc_linear(r, s), insn, sizeof(insn), false);
    return x86_may_change_tf(insn, (unsigned)n, cpu_mode_current(s) == CPU_MODE_LONG64);
}

/* After an exit: whether KVM's single-step trap flag, set when the vCPU entered, is still set,
 * so that the next step needs no KVM_SET_GUEST_DEBUG (on PVM that ioctl costs 6 us, as much as
 * the step's KVM_RUN; measured 2026-12-08). KVM sets the flag with guest debug and adds it back
 * to RFLAGS only while the vCPU is at the pc where guest debug was set, so it is gone after:
 * - an exit that was not a single-step trap (an access KVM completes in its emulator, a halt, a
 *   kick: anything);
 * - an instruction that loads RFLAGS or enters a handler (POPF, IRET, SYSRET, INT n, SYSCALL,
 *   ...: x86_may_change_tf), which the CPU still traps after;
 * - a step KVM's emulator made (an instruction it ran in the kernel without an exit to kvmstub:
 *   a CR write on a host without decode assists, a write to a shadowed page table): it writes
 *   RFLAGS back without the flag. On hardware hosts the CPU's own trap carries DR7 in its exit
 *   and the emulator's carries none, so gd_prepare leaves a DR7 no exit can hold in kvm_run to
 *   tell them apart. On PVM no step exit carries DR7, and its emulator keeps the flag: measured
 *   2026-12-08 over INC, PUSHF, POP, MOV to and from CR3, CPUID, OUT, a page-table write, CLI
 *   and POPF, each stepped by KVM_RUN alone after one KVM_SET_GUEST_DEBUG.
 * Where the host probe finds that the flag does not outlive even a plain step, never. */
static bool gd_trap_flag_kept(struct vcpu *vcpu)
{
    const struct vcpu_debug *vd = vcpu_debug_of(vcpu);
    const struct debug_state *d = vcpu->vm->debug;
    const struct kvm_run *run = vcpu->run;
    if (!vd->tf_armed || !d->tf_outlives_step || vd->insn_may_change_tf ||
        run->exit_reason != KVM_EXIT_DEBUG || run->debug.arch.exception != X86_VECTOR_DB ||
        (run->debug.arch.dr6 & (DR6_B_ANY | DR6_BD | DR6_BS | DR6_BT)) != DR6_BS)
        return false;
    return !d->tf_needs_exit_dr7 || run->debug.arch.dr7 != GD_DR7_UNSET;
}

/* The debug-register slots of instruction breakpoints: enabled, and watching execution. */
static unsigned gd_exec_slots(const struct vm *vm)
{
    const struct debug_regs_state *dr = &vm->debug->bps.dr;
    unsigned slots = 0;
    for (int i = 0; i < DR_NSLOTS; i++)
        if (dr->used[i] && dr7_enabled(dr->dr7, i) && dr7_rw(dr->dr7, i) == DR_RW_EXEC)
            slots |= 1u << i;
    return slots;
}

/* While recording on an emulating host, the instruction breakpoints kvmstub checks itself for
 * the next step instead of arming them in KVM: armed debug registers cost every KVM_RUN 4-5 us
 * on PVM (measured 2026-12-08 in a bare VM: 7-9 us a step without, 12-13 us with one
 * instruction breakpoint armed), half of what a recorded instruction costs there. gd_prepare
 * checks the pc against them before the step, which is exact only where the step runs no
 * instruction but the one at that pc; so KVM keeps them armed (as on hardware hosts, where they
 * cost little) for a step that may run more:
 * - a run that completes an access (KVM then runs the next instruction too), or that delivers
 *   an exception kvmstub injected first (its handler comes before the instruction at the pc);
 * - where KVM cannot keep interrupts out of a step (no KVM_GUESTDBG_BLOCKIRQ);
 * - an instruction after which the trap comes late or the flag may be gone (x86_may_change_tf:
 *   MOV SS, POP SS, IRET, which on PVM runs one instruction past its target, ...);
 * - outside 64-bit and 32-bit protected mode;
 * and a slot at an exception handler's first instruction stays armed (on PVM a step whose
 * instruction raises an exception also runs the handler's first instruction: measured with a
 * #DE on 2026-12-08; catchpoints are such slots). */
static unsigned gd_self_checked_slots(struct vcpu *vcpu, const struct kvm_sregs *s)
{
    struct vm *vm = vcpu->vm;
    const struct debug_regs_state *dr = &vm->debug->bps.dr;
    const struct vcpu_debug *vd = vcpu_debug_of(vcpu);
    unsigned slots = gd_exec_slots(vm) & ~step_aside_dr_mask(vcpu);
    if (!slots || !record_live(vm) || vm->host.kind != HOST_EMULATING || vcpu->io_pending ||
        vcpu->event_injected || vd->inject_bp || vd->insn_may_change_tf ||
        !(vm->guest_debug_caps & KVM_GUESTDBG_BLOCKIRQ) || cpu_mode_current(s) == CPU_MODE_REAL ||
        (s->cs.db == 0 && !s->cs.l))
        return 0;
    /* The exception handlers, read every step (the guest may rewrite its gates). */
    uint64_t handlers[X86_EXCEPTION_VECTORS];
    uint32_t found = exception_handler_addresses(vcpu, ~0u, handlers);
    for (int v = 0; v < X86_EXCEPTION_VECTORS; v++)
        for (int i = 0; (found & (1u << v)) && i < DR_NSLOTS; i++)
            if (dr->addr[i] == handlers[v])
                slots &= ~(1u << i);
    return slots;
}

/* The debug-register slots KVM is not to arm: the one a step aside steps past (step_aside.h);
 * every one while re-executing (replay checks breakpoints by pc itself); those kvmstub checks
 * itself for this step (gd_self_checked_slots). */
static unsigned gd_kvm_dr_mask(const struct vcpu *vcpu)
{
    if (vcpu->vm->debug->record.replaying)
        return (1u << DR_NSLOTS) - 1;
    return step_aside_dr_mask(vcpu) | vcpu_debug_of(vcpu)->self_checked;
}

/* The instruction breakpoint at the vCPU's pc among those kvmstub checks itself for this step,
 * as the CPU would fire it before executing the instruction (not with RFLAGS.RF set): its slot,
 * or -1. */
static int gd_exec_slot_at(struct vcpu *vcpu, const struct kvm_regs *r, uint64_t pc)
{
    const struct debug_regs_state *dr = &vcpu->vm->debug->bps.dr;
    unsigned slots = vcpu_debug_of(vcpu)->self_checked;
    if (!slots || (r->rflags & X86_RFLAGS_RF))
        return -1;
    for (int i = 0; i < DR_NSLOTS; i++)
        if ((slots & (1u << i)) && dr->addr[i] == pc)
            return i;
    return -1;
}

/* Apply breakpoints, watchpoints and single-step when they changed. */
static int gd_apply(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    struct vcpu_debug *vd = vcpu_debug_of(vcpu);
    bool step = gd_stepping(vcpu);
    unsigned dr_mask;
    uint64_t gen = __atomic_load_n(&vm->debug->gen, __ATOMIC_ACQUIRE);
    /* A register write since KVM_SET_GUEST_DEBUG (gdb's `set $pc`, a snapshot restored, a
     * replay rewound, KVM's emulator around an access) may have cleared KVM's single-step trap
     * flag: the vCPU would run free. */
    bool regs_written = step && vd->regs_writes != vcpu->regs.writes;
    /* Whether KVM's single-step trap flag is still set from the last step: gd_trap_flag_kept. */
    if (step) {
        struct kvm_regs r;
        struct kvm_sregs s;
        if (cpu_get_regs(vcpu, &r) < 0 || cpu_get_sregs(vcpu, &s) < 0)
            return -1;
        vd->insn_may_change_tf = gd_insn_may_change_tf(vcpu, &r, &s);
        vd->self_checked = gd_self_checked_slots(vcpu, &s);
    } else {
        vd->self_checked = 0;
    }
    dr_mask = gd_kvm_dr_mask(vcpu);
    if (vd->gen == gen && vd->step == step && vd->dr_mask == dr_mask && !vd->inject_bp &&
        !regs_written && (!step || vd->tf_kept))
        return 0;
    struct kvm_guest_debug dbg;
    memset(&dbg, 0, sizeof(dbg));
    if (runctl_attached(vm)) {
        const struct debug_regs_state *dr = &vm->debug->bps.dr;
        uint64_t dr7 = dr->dr7;
        dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
        for (int i = 0; i < DR_NSLOTS; i++) {
            if (dr_mask & (1u << i))
                dr7 = dr7_clear(dr7, i); /* not armed in KVM (gd_kvm_dr_mask) */
            /* Also with every slot masked: the guest's own debug registers stay out of use
             * (KVM loads none while DR7 enables none). */
            if (dr->used[i])
                dbg.control |= KVM_GUESTDBG_USE_HW_BP;
            dbg.arch.debugreg[i] = dr->addr[i];
        }
        dbg.arch.debugreg[7] = dr7;
        if (step)
            dbg.control |= KVM_GUESTDBG_SINGLESTEP | (vm->guest_debug_caps & KVM_GUESTDBG_BLOCKIRQ);
        if (vd->inject_bp)
            dbg.control |= KVM_GUESTDBG_INJECT_BP;
    }
    if (vm->cfg->trace_exits)
        diag("vCPU %d: guest debug 0x%x", vcpu->id, dbg.control);
    if (ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg) < 0)
        return diag_errno("KVM_SET_GUEST_DEBUG (vCPU %d)", vcpu->id);
    vd->gen = gen;
    vd->step = step;
    vd->dr_mask = dr_mask;
    vd->regs_writes = vcpu->regs.writes;
    vd->tf_kept = step;
    vd->inject_bp = false;
    return 0;
}

/* A breakpoint at linear address pc that only the fetch of its instruction reports (an exec
 * trap, a debug register): a step kvmstub does itself would pass it. */
static bool gd_fetch_breakpoint_at(struct vm *vm, uint64_t pc)
{
    const struct debug_regs_state *dr = &vm->debug->bps.dr;
    for (int i = 0; i < DR_NSLOTS; i++)
        if (dr->used[i] && dr->addr[i] == pc && dr7_enabled(dr->dr7, i))
            return true;
    return bp_find_exec_trap(&vm->debug->bps, pc) != NULL;
}

/* Before KVM_RUN: a step kvmstub does itself (vm/x86/own_step.h) returns
 * VM_DEBUG_PREPARED_STEPPED, and the vCPU reports the step's trap; an instruction breakpoint
 * kvmstub checks itself while recording (gd_kvm_dr_mask) returns VM_DEBUG_PREPARED_EXIT, its exit
 * in kvm_run. Over STI where this host's KVM steps past the next instruction too; over INT n and
 * SYSCALL when gdb steps (not a recording, whose steps are KVM's and replay as they were). Not when
 * a kick is to end the run, an access is to be completed, or a breakpoint at the instruction is
 * still to be hit (stepping off it is fine).
 */
static int gd_prepare(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    struct kvm_regs r;
    struct kvm_sregs s;
    if (gd_apply(vcpu) < 0)
        return -1;
    struct vcpu_debug *vd = vcpu_debug_of(vcpu);
    vd->synth_slot = 0;
    vd->tf_armed = vd->tf_kept; /* gd_exited says whether it still is; a kick says nothing */
    vd->tf_kept = false;
    if (!vcpu->io_pending) /* kvm_run still holds the access KVM is to complete */
        vcpu->run->debug.arch.dr7 = GD_DR7_UNSET;
    bool sti = vm->debug->own_sti_step && gd_stepping(vcpu);
    bool gdb_step = guest_debug_gdb_steps(vcpu) && !vm->debug->record.on;
    bool live = record_live(vm);
    if (!(sti || gdb_step || live) || vcpu->io_pending || vcpu->run->immediate_exit ||
        !runctl_attached(vm))
        return 0;
    if (cpu_get_regs(vcpu, &r) < 0 || cpu_get_sregs(vcpu, &s) < 0)
        return -1;
    int slot = live ? gd_exec_slot_at(vcpu, &r, cpu_pc_linear(&r, &s)) : -1;
    if (slot >= 0) {
        /* The exit the armed slot would have caused (gd_kvm_dr_mask). */
        struct kvm_run *run = vcpu->run;
        run->exit_reason = KVM_EXIT_DEBUG;
        memset(&run->debug.arch, 0, sizeof(run->debug.arch));
        run->debug.arch.exception = X86_VECTOR_DB;
        run->debug.arch.dr6 = DR6_B(slot) | DR6_FIXED_ONES;
        run->debug.arch.dr7 = vm->debug->bps.dr.dr7;
        run->debug.arch.pc = cpu_pc_linear(&r, &s);
        vd->synth_slot = slot + 1;
        return VM_DEBUG_PREPARED_EXIT;
    }
    if (!(sti || gdb_step))
        return 0;
    if (!step_aside_active(vcpu) && gd_fetch_breakpoint_at(vm, cpu_pc_linear(&r, &s)))
        return 0;
    int stepped =
        own_step(vcpu, &r, &s, (sti ? OWN_STEP_STI : 0) | (gdb_step ? OWN_STEP_INT_SYSCALL : 0));
    if (stepped > 0)
        vd->tf_armed = false; /* kvmstub's step: its registers were written anyway */
    return stepped > 0 ? VM_DEBUG_PREPARED_STEPPED : stepped;
}

/* A single-step of this vCPU is complete (a debug exit, an access that completed the
 * instruction, the end of a step aside): tell gdb if it asked, and for a range only once the
 * pc is out of it (the protocol allows stopping earlier; this stops as late as it may). */
static void gd_step_finished(struct vcpu *vcpu, bool access)
{
    struct kvm_regs r;
    switch (vcpu->action) {
    case RESUME_STEP: runctl_report_step(vcpu); break;
    case RESUME_RANGE:
        /* After an access KVM has not completed the instruction yet: stop here, gdb asks again
         * when the pc is still in its range. */
        if (access || cpu_get_regs(vcpu, &r) < 0 || r.rip < vcpu->range_start ||
            r.rip >= vcpu->range_end)
            runctl_report_step(vcpu);
        break;
    default: break; /* kvmstub's own step under a continue */
    }
}

/* A debug exit caused by one of our debug-register slots: its breakpoint, or NULL. */
static const struct breakpoint *gd_slot_hit(struct vcpu *vcpu, int *slot_out)
{
    const struct debug_state *d = vcpu->vm->debug;
    const struct vcpu_debug *vd = vcpu_debug_of(vcpu);
    const struct kvm_debug_exit_arch *a = &vcpu->run->debug.arch;
    for (int slot = 0; slot < DR_NSLOTS; slot++) {
        if (!(a->dr6 & DR6_B(slot)) || !d->bps.dr.used[slot])
            continue;
        /* A slot not armed in KVM (the CPU may set its B bit all the same when its address
         * matches), unless kvmstub wrote this exit for it (gd_prepare). */
        if ((vd->dr_mask & (1u << slot)) && vd->synth_slot != slot + 1)
            continue;
        const struct breakpoint *b = bp_find_slot(&d->bps, slot);
        if (b) {
            *slot_out = slot;
            return b;
        }
    }
    return NULL;
}

/* Whether breakpoint b's agent says to stop: evaluated (a dprintf printed) once per hit, also
 * when the step aside after it backed out and the hit comes again. */
static bool gd_agent_says_stop(struct vcpu *vcpu, const struct breakpoint *b)
{
    struct vcpu_debug *vd = vcpu_debug_of(vcpu);
    bool ran = vd->agent_ran && vd->agent_ran_exit + 1 == vd->exits &&
               vd->agent_ran_pc == b->addr && vd->agent_ran_writes == vcpu->regs.writes && b->agent;
    vd->agent_ran = false;
    return !ran && bp_agent_hit(vcpu, b->agent);
}

/* A breakpoint (not a watchpoint) was hit: report it, or, when its agent expressions say
 * not to stop, step past it and run on. */
static void gd_breakpoint_hit(struct vcpu *vcpu, const struct breakpoint *b, uint64_t addr)
{
    if (b->is_catch) {
        catch_hit(vcpu, b); /* a caught exception's handler */
        return;
    }
    if (gd_agent_says_stop(vcpu, b)) {
        guest_debug_report(vcpu, b->type, addr);
        return;
    }
    /* Taken now: after a back-out, b may be gone (gdb changed the breakpoints in the stop),
     * and the count holds the stop's writes. */
    struct vcpu_debug *vd = vcpu_debug_of(vcpu);
    uint64_t pc = b->addr;
    unsigned long writes = vcpu->regs.writes;
    enum bp_type type = b->type;
    switch (step_aside_breakpoint(vcpu, b)) {
    case ASIDE_BEGUN: break;
    case ASIDE_BACKED_OUT:
        vd->agent_ran = true;
        vd->agent_ran_pc = pc;
        vd->agent_ran_writes = writes;
        vd->agent_ran_exit = vd->exits;
        break;
    case ASIDE_CANNOT: guest_debug_report(vcpu, type, addr); break;
    }
}

/* Recording: an instruction completed, one position further; a watchpoint it hit stops here. */
static void gd_position_done(struct vcpu *vcpu)
{
    struct vcpu_debug *vd = vcpu_debug_of(vcpu);
    record_step_done(vcpu);
    if (vd->watch_hit)
        guest_debug_report(vcpu, vd->watch_type, vd->watch_addr);
    vd->watch_hit = false;
}

/* A debug exit that is a single-step trap (an instruction completed), not a debug-register
 * breakpoint that fired before its instruction. */
static bool gd_is_step_trap(struct vcpu *vcpu)
{
    const struct kvm_debug_exit_arch *a = &vcpu->run->debug.arch;
    int slot;
    const struct breakpoint *b;
    if (vcpu->run->exit_reason != KVM_EXIT_DEBUG || a->exception != X86_VECTOR_DB)
        return false;
    if (a->dr6 & DR6_BS)
        return true;
    b = vcpu->vm->debug->record.replaying ? NULL : gd_slot_hit(vcpu, &slot);
    return !b || (b->type != BP_SOFTWARE && b->type != BP_HARDWARE);
}

/* kvmstub's own step under a continue (out of a trapped page) ended at an exec-trap breakpoint:
 * that is its hit. The trapped fetch that would report it may never come first: a pending
 * interrupt is delivered before it, and a handler that traps in its own page can take longer
 * than the timer's period (timer64's is 20 us), so that the guest never gets back. */
static void gd_landed_on_exec_trap(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    struct kvm_regs r;
    struct kvm_sregs s;
    struct pagewalk_result walk;
    if (guest_debug_gdb_steps(vcpu) || vm->debug->record.on || !runctl_attached(vm) ||
        cpu_get_regs(vcpu, &r) < 0 || cpu_get_sregs(vcpu, &s) < 0)
        return;
    uint64_t pc = cpu_pc_linear(&r, &s);
    const struct breakpoint *b = bp_find_exec_trap(&vm->debug->bps, pc);
    /* The same page, not only the same address: another address space may map it elsewhere. */
    if (b && vcpu_translate(vcpu, pc, &walk) == 0 && x86_page_of(walk.gpa) == x86_page_of(b->gpa))
        gd_breakpoint_hit(vcpu, b, 0);
}

/* Any exit after KVM_RUN (or the trap of a step kvmstub did itself): the end of a step aside is
 * ours; while recording, a single-step trap is one position further. */
static bool gd_exited(struct vcpu *vcpu)
{
    vcpu_debug_of(vcpu)->tf_kept = gd_trap_flag_kept(vcpu);
    vcpu_debug_of(vcpu)->tf_armed = false;
    vcpu_debug_of(vcpu)->exits++;
    bool aside = step_aside_active(vcpu);
    bool hit = aside && step_aside_end(vcpu);
    struct vcpu_debug *vd = vcpu_debug_of(vcpu);
    bool completion = vd->write_done;
    vd->write_done = false;
    if (vcpu->vm->debug->record.on && gd_is_step_trap(vcpu)) {
        struct kvm_regs r;
        if (!completion || cpu_get_regs(vcpu, &r) < 0 || r.rip != vd->write_done_pc)
            gd_position_done(vcpu);
    }
    if (!aside)
        return false;
    if (vcpu->run->exit_reason != KVM_EXIT_DEBUG)
        return false; /* the instruction did I/O, halted, ...: that exit is handled as usual */
    if (vcpu->run->debug.arch.exception != X86_VECTOR_DB)
        return false; /* an INT3 stepped (#BP; its DR6 is stale): a breakpoint, or the guest's */
    int slot;
    if (gd_slot_hit(vcpu, &slot))
        return false; /* a breakpoint or watchpoint of ours fired as well */
    if (!hit) {
        gd_step_finished(vcpu, false);
        if (!step_aside_active(vcpu)) /* not still stepping on in the page (step_aside.c) */
            gd_landed_on_exec_trap(vcpu);
    }
    return true;
}

static void gd_debug_exit(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    struct debug_state *d = vm->debug;
    const struct kvm_debug_exit_arch *a = &vcpu->run->debug.arch;
    if (a->exception == X86_VECTOR_BP) {
        const struct breakpoint *b = bp_find_sw(&d->bps, a->pc);
        if (b && b->mech == MECH_INT3)
            gd_breakpoint_hit(vcpu, b, 0);
        else
            vcpu_debug_of(vcpu)->inject_bp = true; /* the guest's own INT3: hand it back */
        return;
    }
    int slot;
    const struct breakpoint *b = gd_slot_hit(vcpu, &slot);
    if (b && (b->type == BP_SOFTWARE || b->type == BP_HARDWARE)) {
        gd_breakpoint_hit(vcpu, b, 0);
        return;
    }
    if (b) {
        guest_debug_report(vcpu, b->type, d->bps.dr.addr[slot]);
        return;
    }
    if (gd_stepping(vcpu)) {
        gd_step_finished(vcpu, false);
        return;
    }
    /* A debug exception nobody asked for: stop, and let gdb look. */
    runctl_report_step(vcpu);
}

static void gd_after_access(struct vcpu *vcpu)
{
    struct vcpu_debug *vd = vcpu_debug_of(vcpu);
    struct kvm_run *run = vcpu->run;
    if (vcpu->vm->debug->record.on) {
        /* A recorded step ends at its trap, after KVM completed the access. Except an MMIO
         * write: KVM finished the instruction (RIP too) before this exit, and completing it sets
         * no single-step trap (Linux's complete_emulated_mmio: "FIXME: return into emulator if
         * single-stepping"), so the position ends here; a trap at this pc next is its echo. */
        if (run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write) {
            struct kvm_regs r;
            vd->write_done = cpu_get_regs(vcpu, &r) == 0;
            vd->write_done_pc = r.rip;
            gd_position_done(vcpu);
            gd_step_finished(vcpu, false);
        }
        return;
    }
    /* The access completed the instruction: a step is done (some hosts would run one more
     * instruction before their single-step trap). */
    gd_step_finished(vcpu, true);
}

/* A write KVM could not complete may be one to a page write-protected for an INT3 (an
 * instruction its emulator lacks, or an exception frame pushed there): lift every such
 * protection, with the other vCPUs paused, and let the vCPU try again. False when there was
 * none to lift. */
static bool gd_unprotect(struct vcpu *vcpu, const char *what)
{
    if (!runctl_pause_others(vcpu))
        return true; /* a stop came first: the vCPU tries again, and fails again if it must */
    int n = bp_unprotect_int3_pages(vcpu->vm, vcpu);
    runctl_unpause_others(vcpu);
    if (n == 0)
        return false;
    diag("vCPU %d: %s, perhaps a write to a page write-protected for a breakpoint: lifted the "
         "write protection of %d breakpoint%s page, trying again (a guest write over such an "
         "INT3 takes it away now)",
         vcpu->id, what, n, n > 1 ? "s'" : "'s");
    return true;
}

static bool gd_delivery_failed(struct vcpu *vcpu)
{
    return gd_unprotect(vcpu, "KVM could not deliver an exception or interrupt");
}

static bool gd_emulation_failure(struct vcpu *vcpu, uint64_t rip, const uint8_t *bytes, unsigned n)
{
    struct vm *vm = vcpu->vm;
    if (!runctl_attached(vm) || vm->debug->record.replaying) /* re-execution checks by pc */
        return step_aside_page(vcpu, rip) != ASIDE_CANNOT;
    /* An INT3 the host could not execute (emulating hosts, DESIGN.md §7): ours? */
    const struct breakpoint *b = bp_find_sw(&vm->debug->bps, rip);
    if (n >= 1 && bytes[0] == X86_INSN_INT3 && b && b->mech == MECH_INT3) {
        gd_breakpoint_hit(vcpu, b, 0);
        return true;
    }
    /* A breakpoint placed as an exec trap (its page left the map): the fetch at its address. */
    if ((b = bp_find_exec_trap(&vm->debug->bps, rip))) {
        gd_breakpoint_hit(vcpu, b, 0);
        return true;
    }
    /* Other code in a trapped page: step it with the page mapped. */
    if (step_aside_page(vcpu, rip) != ASIDE_CANNOT)
        return true;
    /* The guest's own INT3 (Linux's int3_selftest): no write, nothing to lift; the vCPU
     * delivers it (vm/x86/emulation_failure.c). Lifting the protection here left a later guest
     * write free to take a breakpoint of gdb's away (kaslr_kernel on PVM, ci58). */
    if (n >= 1 && bytes[0] == X86_INSN_INT3)
        return false;
    /* The guest's INT n (refused by PVM's emulator): delivered by the vCPU too, no write
     * failed, and nothing to pause the others for. */
    if (n >= 2 && bytes[0] == X86_INSN_INT_IMM8)
        return false;
    char what[80];
    snprintf(what, sizeof(what), "KVM could not emulate the instruction at 0x%" PRIx64, rip);
    return gd_unprotect(vcpu, what);
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
    if (is_write) {
        /* An INT3 there stays, over the new byte (an MMIO exit carries at most 8 bytes). */
        for (unsigned done = 0, n; done < size; done += n) {
            uint8_t kept[8];
            n = size - done < sizeof(kept) ? size - done : sizeof(kept);
            bp_guest_write(vm, gpa + done, data + done, n, kept);
            memcpy(host + done, kept, n);
        }
    } else {
        memcpy(data, host, size);
    }
    uint64_t hit_addr;
    const struct breakpoint *b = bp_watch_hit(&vm->debug->bps, gpa, size, is_write, &hit_addr);
    if (!b || !runctl_attached(vm))
        return;
    if (vm->debug->record.on) {
        /* Recording: the hit stops the vCPU at the end of its instruction (its single-step trap,
         * one position further), not half-way through it. */
        struct vcpu_debug *vd = vcpu_debug_of(vcpu);
        vd->watch_hit = true;
        vd->watch_type = b->type;
        vd->watch_addr = hit_addr;
        return;
    }
    guest_debug_report(vcpu, b->type, hit_addr);
}

static bool gd_port_replayed(struct vcpu *vcpu, uint16_t port, bool is_write, uint8_t *data,
                             unsigned size)
{
    return record_port_replay(vcpu, port, is_write, data, size);
}

/* A port or MSR access of the guest: stop after it when a `monitor break io|msr` asks for it
 * (run control completes the instruction before the vCPU parks: the pc is past it). Not while
 * recorded instructions are re-executed: they stop by their positions (debug/replay.h). */
static void gd_access_done(struct vcpu *vcpu, enum access_space space, uint32_t where,
                           bool is_write, uint64_t value, unsigned size)
{
    struct vm *vm = vcpu->vm;
    const struct access_break *b = access_breaks_match(&vm->debug->access, space, where, is_write);
    if (!b || !runctl_attached(vm) || vm->debug->record.replaying)
        return;
    struct kvm_regs r;
    struct access_hit *h = &vcpu_debug_of(vcpu)->hit;
    *h = (struct access_hit){.valid = true,
                             .num = b->num,
                             .space = space,
                             .where = where,
                             .is_write = is_write,
                             .value = value,
                             .size = size,
                             .pc = cpu_get_regs(vcpu, &r) == 0 ? r.rip : 0};
    struct stop_event ev = {.kind = STOP_SIGNAL, .thread = vcpu->id + 1, .signal = GDB_SIGNAL_TRAP};
    runctl_report_stop(vcpu, &ev);
}

static void gd_port_done(struct vcpu *vcpu, uint16_t port, bool is_write, const uint8_t *data,
                         unsigned size)
{
    record_port_done(vcpu, port, is_write, data, size);
    uint64_t value = 0;
    memcpy(&value, data, size < sizeof(value) ? size : sizeof(value));
    gd_access_done(vcpu, ACCESS_IO, port, is_write, value, size);
}

static void gd_msr_done(struct vcpu *vcpu, uint32_t msr, bool is_write, uint64_t value)
{
    if (is_write)
        kaslr_msr_written(vcpu, msr);
    gd_access_done(vcpu, ACCESS_MSR, msr, is_write, value, 8);
}

static void gd_vcpu_destroy(struct vcpu *vcpu)
{
    free(vcpu->debug);
    vcpu->debug = NULL;
}

static void gd_destroy(struct vm *vm)
{
    if (vm->debug) {
        for (int i = 0; i < vm->debug->bps.n; i++)
            bp_agent_free(vm->debug->bps.items[i].agent); /* the VM is gone: nothing to unplace */
        free(vm->debug->bps.items);
        bp_agent_output_destroy(&vm->debug->output);
        free(vm->debug->exec_file);
        snapshots_destroy(&vm->debug->snapshots);
        record_stop(vm);
    }
    free(vm->debug);
    vm->debug = NULL;
}

static const struct vm_debug_ops guest_debug_ops = {
    .prepare = gd_prepare,
    .exited = gd_exited,
    .debug_exit = gd_debug_exit,
    .after_access = gd_after_access,
    .port_replayed = gd_port_replayed,
    .port_done = gd_port_done,
    .msr_done = gd_msr_done,
    .emulation_failure = gd_emulation_failure,
    .delivery_failed = gd_delivery_failed,
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
    if (bp_agent_output_init(&vm->debug->output) < 0)
        return -1;
    for (int i = 0; i < vm->ncpus; i++) {
        struct vcpu_debug *vd = calloc(1, sizeof(*vd));
        if (!vd)
            return diag_errno("out of memory for the debugger state");
        vd->gen = UINT64_MAX; /* apply the guest-debug state before the first run */
        vm->vcpus[i].debug = vd;
    }
    return 0;
}
