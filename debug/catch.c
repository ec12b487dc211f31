/* debug/catch.c — exception catchpoints: handler breakpoints, the stop before the handler, and
 * the delivery after it. */
#include "debug/catch.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/diag.h"
#include "debug/breakpoints.h"
#include "debug/guest_debug.h"
#include "debug/monitor_out.h"
#include "debug/step_aside.h"
#include "vm/runctl.h"
#include "vm/vm.h"
#include "vm/x86/cpu_regs.h"
#include "vm/x86/exception.h"

static struct catch_vcpu *catch_of(struct vcpu *vcpu)
{
    return &((struct vcpu_debug *)vcpu->debug)->catch;
}

/* What a step by gdb catches besides the caught set: every exception it can deliver, so the
 * step ends at the handler's first instruction. Not #DB (the step's own trap, KVM's), NMI (an
 * interrupt) or #BP (the guest's own INT3 is handed back to it as before). */
#define STEP_VECTORS (~0u & ~(1u << X86_VECTOR_DB | 1u << X86_VECTOR_NMI | 1u << X86_VECTOR_BP))

/* Put a breakpoint on the handler of each of `vectors`, as the IDT of vcpu says now; the ones
 * whose handler moved are placed again. */
static void catch_sync(struct vm *vm, struct vcpu *vcpu, uint32_t vectors)
{
    struct catch_set *c = &vm->debug->catches;
    uint64_t want[EXCEPTION_VECTORS];
    uint32_t found = exception_handler_addresses(vcpu, vectors, want);
    bool have[EXCEPTION_VECTORS];
    bool same = true;
    for (int v = 0; v < EXCEPTION_VECTORS; v++) {
        have[v] = found & (1u << v);
        same &= have[v] == c->placed[v] &&
                (!have[v] || (want[v] == c->handler[v] && bp_find_catch(&vm->debug->bps, want[v])));
    }
    if (same)
        return;
    bp_remove_catches(vm);
    for (int v = 0; v < EXCEPTION_VECTORS; v++) {
        c->placed[v] = have[v] && bp_insert_catch(vm, vcpu, want[v], v) == 0;
        c->handler[v] = have[v] ? want[v] : 0;
    }
}

/* The vCPU is single-stepping at gdb's word (s, or a range), and not recording (a recorded
 * step is not followed into handlers: README). */
static bool stepping(const struct vcpu *vcpu)
{
    return runctl_attached(vcpu->vm) && !vcpu->vm->debug->record.on && guest_debug_gdb_steps(vcpu);
}

/* The RFLAGS a delivery during a step by gdb pushed carries KVM's trap flag: the guest's own
 * goes back, or its IRET would trap later, with nobody stepping. */
static uint64_t own_rflags(const struct vcpu *vcpu, uint64_t pushed)
{
    const struct catch_vcpu *c = &((const struct vcpu_debug *)vcpu->debug)->catch;
    if (!stepping(vcpu))
        return pushed;
    return (pushed & ~X86_RFLAGS_TF) | (c->own_tf ? X86_RFLAGS_TF : 0);
}

static void catch_list(struct vm *vm, target_print_fn print, void *ctx)
{
    const struct catch_set *c = &vm->debug->catches;
    if (!c->vectors) {
        monitor_say(print, ctx, "no exceptions caught");
        return;
    }
    for (int v = 0; v < EXCEPTION_VECTORS; v++) {
        if (!(c->vectors & (1u << v)))
            continue;
        char name[16];
        exception_short_name(v, name, sizeof(name));
        if (c->placed[v])
            monitor_say(print, ctx, "catching %s (vector %d, %s): handler 0x%" PRIx64, name, v,
                        exception_long_name(v), c->handler[v]);
        else
            monitor_say(
                print, ctx,
                "catching %s (vector %d, %s): no handler in the IDT yet (looked for again at "
                "each resume)",
                name, v, exception_long_name(v));
    }
}

void catch_command(struct vm *vm, struct vcpu *vcpu, int argc, char *const argv[],
                   target_print_fn print, void *ctx)
{
    if (argc == 0) {
        catch_list(vm, print, ctx);
        return;
    }
    if (strcmp(argv[0], "exception") != 0) {
        monitor_say(print, ctx, "usage: monitor catch [exception VECTOR|NAME ...|all|none]");
        return;
    }
    uint32_t mask;
    char err[MONITOR_LINE];
    if (!exception_parse_vectors(argc - 1, argv + 1, &mask, err, sizeof(err))) {
        monitor_say(print, ctx, "error: %s", err);
        return;
    }
    vm->debug->catches.vectors = mask;
    catch_sync(vm, vcpu, vm->debug->catches.vectors);
    catch_list(vm, print, ctx);
}

void catch_before_run(struct vm *vm, struct vcpu *current, const struct resume_action *actions)
{
    bool step = false;
    for (int i = 0; actions && i < vm->ncpus; i++)
        step |= actions[i].kind == RESUME_STEP || actions[i].kind == RESUME_RANGE;
    step &= !vm->debug->record.on; /* a recording steps each instruction its own way */
    if (actions)                   /* nothing to read when nothing is caught and nobody steps */
        catch_sync(vm, current, vm->debug->catches.vectors | (step ? STEP_VECTORS : 0));
    for (int i = 0; i < vm->ncpus; i++) {
        struct vcpu *vcpu = &vm->vcpus[i];
        struct catch_vcpu *c = catch_of(vcpu);
        struct catch_hit *h = &c->hit;
        struct kvm_regs r;
        struct kvm_sregs s;
        if (actions && (actions[i].kind == RESUME_STEP || actions[i].kind == RESUME_RANGE))
            c->own_tf = cpu_get_regs(vcpu, &r) == 0 && (r.rflags & X86_RFLAGS_TF);
        if (!h->valid)
            continue;
        h->valid = false;
        if (h->deliver) {
            /* Detaching: delivered all the same, and its breakpoint is going (no pass). */
            if (exception_inject(vcpu, h->vector, h->has_error_code, h->error_code) == 0 &&
                actions) {
                c->passing = true;
                c->pass_injected = true;
                c->pass_at = h->handler;
            }
        } else if (actions && cpu_get_regs(vcpu, &r) == 0 && cpu_get_sregs(vcpu, &s) == 0 &&
                   cpu_pc_linear(&r, &s) == h->handler) {
            c->passing = true; /* stopped at the handler: it runs now */
            c->pass_injected = false;
            c->pass_at = h->handler;
        }
    }
}

void catch_regs_written(struct vcpu *vcpu)
{
    catch_of(vcpu)->hit.deliver = false;
}

/* Record the exception whose handler's breakpoint b the vCPU hit (at its first instruction):
 * true when its frame could be read into *f. */
static bool record_hit(struct vcpu *vcpu, const struct breakpoint *b, struct exception_frame *f)
{
    struct catch_hit *h = &catch_of(vcpu)->hit;
    struct kvm_sregs s;
    memset(h, 0, sizeof(*h));
    h->vector = b->catch_vector;
    h->handler = b->addr;
    if (cpu_get_sregs(vcpu, &s) == 0)
        h->cr2 = s.cr2;
    if (exception_frame_read(vcpu, h->vector, f) < 0)
        return false;
    h->has_error_code = f->has_error_code;
    h->error_code = f->error_code;
    h->raised_at = f->rip;
    return true;
}

/* A step by gdb delivered an exception (or the one gdb let go): the step ends at the handler's
 * first instruction, the pushed RFLAGS the guest's own; `monitor exception` shows it. */
static void step_into_handler(struct vcpu *vcpu, const struct breakpoint *b)
{
    struct catch_hit *h = &catch_of(vcpu)->hit;
    struct exception_frame f;
    if (record_hit(vcpu, b, &f)) {
        if (own_rflags(vcpu, f.rflags) != f.rflags &&
            exception_frame_write_rflags(vcpu, &f, own_rflags(vcpu, f.rflags)) < 0)
            diag("vCPU %d: cannot write the exception frame's RFLAGS at the handler 0x%" PRIx64,
                 vcpu->id, b->addr);
    }
    h->valid = true;
    runctl_report_step(vcpu);
}

void catch_hit(struct vcpu *vcpu, const struct breakpoint *b)
{
    struct catch_vcpu *c = catch_of(vcpu);
    bool caught = vcpu->vm->debug->catches.vectors & (1u << b->catch_vector);
    if (c->pass_kept && c->pass_kept_writes != vcpu->regs.writes)
        c->passing = false; /* gdb moved the vCPU meanwhile: that delivery is not this one */
    c->pass_kept = false;
    bool passing = c->passing && c->pass_at == b->addr;
    if (stepping(vcpu) && ((passing && c->pass_injected) || (!passing && !caught))) {
        c->passing = false;
        step_into_handler(vcpu, b);
        return;
    }
    bool pass = !runctl_attached(vcpu->vm) || passing || !caught;
    unsigned long writes = vcpu->regs.writes; /* before a stop the step aside may wait through */
    enum aside_start aside = pass ? step_aside_breakpoint(vcpu, b) : ASIDE_CANNOT;
    if (aside == ASIDE_BACKED_OUT) {
        c->pass_kept = c->passing; /* the hit comes again, and is passed as this one was */
        c->pass_kept_writes = writes;
        return;
    }
    c->passing = false;
    if (aside == ASIDE_BEGUN)
        return; /* the delivery gdb let go (or nobody to stop for): the handler runs */
    struct catch_hit *h = &c->hit;
    struct exception_frame f;
    if (record_hit(vcpu, b, &f)) {
        f.rflags = own_rflags(vcpu, f.rflags);
        h->rewound = exception_is_fault(h->vector) && exception_rewind(vcpu, &f) == 0;
        h->deliver = h->rewound;
    }
    h->valid = true;
    struct stop_event ev = {
        .kind = STOP_SIGNAL, .thread = vcpu->id + 1, .signal = exception_signal(h->vector)};
    runctl_report_stop(vcpu, &ev);
}

bool catch_describe(struct vcpu *vcpu, target_print_fn print, void *ctx)
{
    const struct catch_hit *h = &catch_of(vcpu)->hit;
    if (!h->valid)
        return false;
    char name[16], error[48] = "";
    exception_short_name(h->vector, name, sizeof(name));
    if (h->has_error_code)
        snprintf(error, sizeof(error), ", error code 0x%" PRIx32, h->error_code);
    monitor_say(print, ctx, "vCPU %d: %s (vector %d, %s)%s", vcpu->id, name, h->vector,
                exception_long_name(h->vector), error);
    if (h->vector == X86_VECTOR_PF)
        monitor_say(print, ctx, "  cr2 (the address): 0x%" PRIx64, h->cr2);
    monitor_say(print, ctx, "  raised at 0x%" PRIx64 "%s", h->raised_at,
                exception_is_fault(h->vector) ? ""
                                              : " (pushed pc: after the instruction, for a trap)");
    monitor_say(print, ctx, "  handler 0x%" PRIx64 "; %s", h->handler,
                h->rewound ? "stopped before its delivery: continue delivers it, a register write "
                             "(jump, set $pc) drops it"
                           : "stopped at the handler's first instruction: continue runs it");
    return true;
}
