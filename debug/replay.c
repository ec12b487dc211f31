/* debug/replay.c — backwards and forwards through a recorded execution (see replay.h). */
#include "debug/replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "debug/guest_debug.h"
#include "debug/record.h"
#include "vm/runctl.h"
#include "vm/snapshot.h"
#include "vm/vcpu.h"
#include "vm/vm.h"

/* A recorded pc where one of gdb's breakpoints is (recorded pcs are RIP values; breakpoint
 * addresses are linear: the same wherever CS's base is 0, as in long mode and flat 32-bit code). */
static const struct breakpoint *breakpoint_at(const struct vm *vm, uint64_t pc)
{
    const struct bp_table *t = &vm->debug->bps;
    for (int i = 0; i < t->n; i++)
        if ((t->items[i].type == BP_SOFTWARE || t->items[i].type == BP_HARDWARE) &&
            t->items[i].addr == pc)
            return &t->items[i];
    return NULL;
}

static bool is_watch(enum stop_kind kind)
{
    return kind == STOP_WATCH || kind == STOP_RWATCH || kind == STOP_AWATCH;
}

/* Around a replay: kvmstub's INT3s out of the code, exec-trapped pages mapped back,
 * debug-register breakpoints masked, and the machine as it was, to put back should
 * re-execution fail (never a half-replayed guest). */
struct replay_scope {
    bool *lifted;
    bool *untrapped;
    struct snapshot *undo;
};

static int scope_enter(struct vm *vm, struct replay_scope *sc, char *why, size_t whylen)
{
    size_t n = (size_t)vm->debug->bps.n + 1;
    sc->lifted = calloc(n, sizeof(bool));
    sc->untrapped = calloc(n, sizeof(bool));
    if (!sc->lifted || !sc->untrapped) {
        free(sc->lifted);
        free(sc->untrapped);
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    bp_int3s_lift(vm, sc->lifted);
    sc->undo = snapshot_take(vm, why, whylen);
    if (!sc->undo) {
        bp_int3s_place(vm, sc->lifted, false);
        free(sc->lifted);
        free(sc->untrapped);
        return -1;
    }
    bp_exec_traps_lift(vm, sc->untrapped);
    vm->debug->record.replaying = true;
    guest_debug_changed(vm);
    return 0;
}

/* ok: the replay went where it was to go; otherwise the machine goes back as it was. A guest
 * that ended meanwhile (a memory map KVM refused) runs no more: nothing is put back. */
static void scope_leave(struct vm *vm, struct replay_scope *sc, bool ok, bool rewound)
{
    char err[128];
    uint64_t written;
    bool ended = runctl_ended(vm);
    vm->debug->record.replaying = false;
    guest_debug_changed(vm);
    if (!ok && !ended && snapshot_apply(vm, sc->undo, &written, err, sizeof(err)) < 0)
        diag("cannot put the machine back after a failed re-execution: %s", err);
    snapshot_free(sc->undo);
    if (!ended) {
        bp_int3s_place(vm, sc->lifted, rewound || !ok);
        bp_exec_traps_place(vm, sc->untrapped);
    }
    free(sc->lifted);
    free(sc->untrapped);
}

/* One recorded position forward. 0, with the stop that step reported in *ev (a watchpoint hit, or
 * the step's own trap); -1 when the vCPU did not end at the next position with its recorded pc. */
static int replay_step(struct vm *vm, struct stop_event *ev)
{
    struct record *r = &vm->debug->record;
    struct resume_action actions[VM_MAX_CPUS] = {{.kind = RESUME_STEP}};
    struct vcpu *vcpu = runctl_begin_inline_step(vm, actions);
    uint64_t before = r->pos;
    if (!vcpu)
        return -1;
    vcpu_step_here(vcpu);
    runctl_end_inline_step(vcpu, false);
    runctl_last_stop(vm, ev);
    return r->pos == before + 1 && !r->diverged ? 0 : -1;
}

static int diverged(struct vm *vm, char *why, size_t whylen)
{
    const struct record *r = &vm->debug->record;
    if (runctl_ended(vm)) {
        snprintf(why, whylen, "the guest ended during re-execution, at position %llu",
                 (unsigned long long)r->pos);
        record_stop(vm);
        return -1;
    }
    char found[64] = "an access to a port not recorded there";
    if (!r->diverged)
        snprintf(found, sizeof(found), "no single-step trap");
    else if (r->diverged_pc != UINT64_MAX)
        snprintf(found, sizeof(found), "pc 0x%llx", (unsigned long long)r->diverged_pc);
    uint64_t at = r->pos <= r->end && r->pos >= r->start ? r->pcs[r->pos - r->start] : 0;
    snprintf(why, whylen,
             "re-execution left the recorded path at position %llu (recorded pc 0x%llx, found "
             "%s; the guest read something not recorded, such as the TSC?): the history was "
             "dropped and the guest put back as it was",
             (unsigned long long)r->pos, (unsigned long long)at, found);
    record_stop(vm);
    return -1;
}

/* Go to position target exactly: the nearest checkpoint, then step. */
static int replay_goto(struct vm *vm, uint64_t target, char *why, size_t whylen)
{
    struct record *r = &vm->debug->record;
    if (record_rewind_to(vm, target, why, whylen) < 0)
        return -1;
    struct stop_event ev;
    while (r->pos < target)
        if (replay_step(vm, &ev) < 0)
            return diverged(vm, why, whylen);
    record_devices_at_pos(vm);
    return 0;
}

/* The newest position before `before` whose pc is at a breakpoint, or UINT64_MAX. */
static uint64_t newest_breakpoint_before(struct vm *vm, uint64_t before)
{
    const struct record *r = &vm->debug->record;
    for (uint64_t p = before; p-- > r->start;)
        if (breakpoint_at(vm, r->pcs[p - r->start]))
            return p;
    return UINT64_MAX;
}

static bool any_watchpoint(const struct vm *vm)
{
    const struct bp_table *t = &vm->debug->bps;
    for (int i = 0; i < t->n; i++)
        if (t->items[i].type >= WP_WRITE)
            return true;
    return false;
}

/* The newest instruction (its position) in [floor, before) that hit a watchpoint, found by
 * re-executing checkpoint intervals, newest first; UINT64_MAX when none, -1 on a failure. */
static int newest_watch_hit_before(struct vm *vm, uint64_t floor, uint64_t before, uint64_t *hit,
                                   struct stop_event *hit_ev, char *why, size_t whylen)
{
    struct record *r = &vm->debug->record;
    *hit = UINT64_MAX;
    uint64_t seg_end = before;
    while (seg_end > floor && seg_end > r->start) {
        if (record_rewind_to(vm, seg_end - 1, why, whylen) < 0)
            return -1;
        uint64_t seg_start = r->pos;
        while (r->pos < seg_end) {
            uint64_t at = r->pos;
            struct stop_event ev;
            if (replay_step(vm, &ev) < 0)
                return diverged(vm, why, whylen);
            if (is_watch(ev.kind) && at >= floor) {
                *hit = at;
                *hit_ev = ev;
            }
        }
        if (*hit != UINT64_MAX)
            return 0;
        seg_end = seg_start;
    }
    return 0;
}

/* Refuse what cannot be followed backwards exactly. */
static int reverse_check(struct vm *vm, char *why, size_t whylen)
{
    const struct record *r = &vm->debug->record;
    const char *cannot = record_cannot_start(vm);
    if (cannot) {
        snprintf(why, whylen, "%s", cannot);
        return -1;
    }
    if (!r->on) {
        if (r->failure[0])
            snprintf(why, whylen, "%s", r->failure);
        else
            snprintf(why, whylen,
                     "no execution history: 'monitor record on' starts recording "
                     "(then run forwards, and back)");
        return -1;
    }
    const struct bp_table *t = &vm->debug->bps;
    for (int i = 0; i < t->n; i++)
        if (t->items[i].type >= WP_WRITE && t->items[i].mech == MECH_DEBUG_REG) {
            snprintf(why, whylen,
                     "a watchpoint held in a debug register cannot be followed "
                     "backwards: 'monitor watch-mode trap', then set it again");
            return -1;
        }
    return 0;
}

static void report(struct vm *vm, enum stop_kind kind, uint64_t addr)
{
    struct stop_event ev = {.kind = kind, .thread = 1, .signal = GDB_SIGNAL_TRAP, .addr = addr};
    runctl_report_controller_stop(vm, &ev);
}

int replay_reverse(struct vm *vm, enum resume_kind kind, char *why, size_t whylen)
{
    if (reverse_check(vm, why, whylen) < 0)
        return -1;
    struct record *r = &vm->debug->record;
    if (r->state_written) {
        /* gdb changed the state here: the history before it still holds, after it goes. */
        if (record_before_run(vm, why, whylen) < 0)
            return -1;
    }
    uint64_t from = r->pos;
    /* Stopped on something fatal (a triple fault) at the newest position: its instruction did
     * not complete, and the vCPU shows what the fault left (on kvm_amd the reset state). A step
     * back goes to that instruction, as it was before it began the fault. */
    bool fatal = kind == RESUME_STEP && from == r->end && vm->vcpus[0].fatal_status;
    if (from == r->start && !fatal) {
        report(vm, STOP_HISTORY_BEGIN, 0);
        return 0;
    }
    struct replay_scope sc;
    if (scope_enter(vm, &sc, why, whylen) < 0)
        return -1;
    uint64_t target = fatal ? from : from - 1, bp = UINT64_MAX, watch = UINT64_MAX;
    struct stop_event watch_ev = {0};
    int rc = 0;
    if (kind == RESUME_CONTINUE) {
        bp = newest_breakpoint_before(vm, from);
        if (any_watchpoint(vm))
            rc = newest_watch_hit_before(vm, bp == UINT64_MAX ? r->start : bp, from, &watch,
                                         &watch_ev, why, whylen);
        target = r->start;
        if (bp != UINT64_MAX)
            target = bp;
        if (watch != UINT64_MAX && (bp == UINT64_MAX || watch > bp))
            target = watch;
    }
    if (rc == 0)
        rc = replay_goto(vm, target, why, whylen);
    scope_leave(vm, &sc, rc == 0, true);
    if (rc < 0)
        return -1;
    if (kind == RESUME_STEP)
        report(vm, STOP_SIGNAL, 0);
    else if (target == watch)
        report(vm, watch_ev.kind, watch_ev.addr);
    else if (target == bp)
        report(vm,
               breakpoint_at(vm, r->pcs[bp - r->start])->type == BP_SOFTWARE ? STOP_SWBREAK
                                                                             : STOP_HWBREAK,
               0);
    else
        report(vm, STOP_HISTORY_BEGIN, 0);
    return 0;
}

bool replay_forward_pending(struct vm *vm)
{
    const struct record *r = &vm->debug->record;
    return r->on && r->pos < r->end && !r->state_written;
}

int replay_forward(struct vm *vm, const struct resume_action *action, char *why, size_t whylen)
{
    struct record *r = &vm->debug->record;
    if (reverse_check(vm, why, whylen) < 0)
        return -1;
    struct replay_scope sc;
    if (scope_enter(vm, &sc, why, whylen) < 0)
        return -1;
    size_t i = 0; /* the port reads to answer start at pos */
    while (i < r->nio && r->io[i].pos < r->pos)
        i++;
    r->io_next = i;
    r->diverged = false;
    struct stop_event ev = {.kind = STOP_SIGNAL};
    const struct breakpoint *b = NULL;
    int rc = 0;
    while (r->pos < r->end) {
        if ((rc = replay_step(vm, &ev)) < 0)
            break;
        uint64_t pc = r->pcs[r->pos - r->start];
        if (is_watch(ev.kind) || action->kind == RESUME_STEP || (b = breakpoint_at(vm, pc)))
            break;
        if (action->kind == RESUME_RANGE && (pc < action->start || pc >= action->end))
            break;
    }
    if (rc == 0)
        record_devices_at_pos(vm);
    else
        diverged(vm, why, whylen);
    scope_leave(vm, &sc, rc == 0, false);
    if (rc < 0)
        return -1;
    if (is_watch(ev.kind))
        report(vm, ev.kind, ev.addr);
    else if (b)
        report(vm, b->type == BP_SOFTWARE ? STOP_SWBREAK : STOP_HWBREAK, 0);
    else if (action->kind == RESUME_CONTINUE && r->pos == r->end)
        report(vm, STOP_HISTORY_END, 0);
    else
        report(vm, STOP_SIGNAL, 0);
    return 0;
}
