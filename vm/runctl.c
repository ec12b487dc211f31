/* vm/runctl.c — vCPU parking, kicks, all-stop, pauses, and the end of the guest.
 *
 * Every field this file reads or writes is guarded by vm->lock (vm.h marks them). Threads are
 * woken (condition variables, the event fd) after the lock is released, so the woken thread
 * does not wait on it at once. One predicate, runctl_complete, says when a stop (or the end)
 * is ready for the controller.
 */
#include "vm/runctl.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/exit_status.h"
#include "vm/memslots.h"
#include "vm/vm.h"

static void runctl_kick_handler(int sig)
{
    (void)sig; /* only there to make KVM_RUN return EINTR */
}

int runctl_init(struct vm *vm)
{
    pthread_mutex_init(&vm->lock, NULL);
    pthread_cond_init(&vm->cond, NULL);
    pthread_cond_init(&vm->parked_cond, NULL);
    vm->stop = (struct stop_event){.kind = STOP_SIGNAL, .thread = 1, .signal = GDB_SIGNAL_TRAP};
    vm->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (vm->event_fd < 0)
        return diag_errno("eventfd");
    struct sigaction sa = {.sa_handler = runctl_kick_handler}; /* no SA_RESTART */
    sigemptyset(&sa.sa_mask);
    if (sigaction(RUNCTL_KICK_SIGNAL, &sa, NULL) < 0)
        return diag_errno("sigaction for the vCPU kick signal");
    return 0;
}

void runctl_destroy(struct vm *vm)
{
    if (vm->event_fd >= 0)
        close(vm->event_fd);
    vm->event_fd = -1;
}

/* [lock] Tell the controller that a stop is complete (or the guest ended): under the lock, with
 * the state it announces, so that runctl_take_stop's drain (under it too) removes exactly the
 * notifications its state answers, and one read later announces a later state (or is
 * runctl_wake's). Written after the lock was released, a notification could come after the
 * controller took its stop: stale, it made the stop fd readable with nothing new (ci79, ci82:
 * test_vm_core's check that nothing stirs in a stop failed in the lane). */
static void runctl_notify(struct vm *vm)
{
    uint64_t one = 1;
    ssize_t n = write(vm->event_fd, &one, sizeof(one));
    (void)n; /* an eventfd write only fails when the counter would overflow */
}

/* [lock] The one rule for "the controller may look now": the guest ended, or a reported stop
 * has parked every vCPU thread. */
static bool runctl_complete(const struct vm *vm)
{
    return vm->ended || (vm->stop_pending && vm->nrunning == 0);
}

/* [lock] After a change that may complete a stop: tell the controller if it did. */
static void runctl_announce_if_complete(struct vm *vm)
{
    if (runctl_complete(vm))
        runctl_notify(vm);
}

/* [lock] Make a vCPU leave KVM_RUN (or not enter it). `self` is the caller's own vCPU, which
 * is on its way back to run control and needs no signal. */
static void runctl_kick(struct vcpu *vcpu, const struct vcpu *self)
{
    if (vcpu->parked || !vcpu->thread_started || vcpu == self)
        return;
    vcpu->run->immediate_exit = 1;
    pthread_kill(vcpu->thread, RUNCTL_KICK_SIGNAL);
}

/* [lock] Stop every vCPU (self: the caller's own, or NULL). */
static void runctl_stop_all(struct vm *vm, const struct vcpu *self)
{
    for (int i = 0; i < vm->ncpus; i++) {
        vm->vcpus[i].run_requested = false;
        runctl_kick(&vm->vcpus[i], self);
    }
}

/* [lock] May this vCPU's thread run now? The owner of a pause runs even when a stop asks it to
 * park: it holds the pause for a KVM_RUN (or a bounded run of steps aside, which ends at the
 * first exit after the stop) and must finish it before anyone else can look. Not its thread
 * while parked, though: then the controller drives it (runctl_begin_inline_step). */
static bool runctl_may_run(const struct vm *vm, const struct vcpu *vcpu)
{
    if (vm->ended)
        return false;
    if (vm->pause_owner)
        return vm->pause_owner == vcpu && !vcpu->parked;
    return vcpu->run_requested;
}

typedef bool (*runctl_go_fn)(const struct vm *vm, const struct vcpu *vcpu);

/* [lock] Park the calling vCPU thread until go says it may go on (or the guest ends); it
 * returns counted as running again. Parking may complete a stop: the controller is told at
 * once, under the lock (runctl_notify says why). */
static void runctl_park(struct vm *vm, struct vcpu *vcpu, runctl_go_fn go)
{
    vcpu->parked = true;
    vm->nrunning--;
    /* Tell the controller (and whoever waits for parked threads) now, not when this thread
     * runs again. */
    runctl_announce_if_complete(vm);
    pthread_mutex_unlock(&vm->lock);
    pthread_cond_broadcast(&vm->parked_cond);
    pthread_mutex_lock(&vm->lock);
    while (!go(vm, vcpu) && !vm->ended)
        pthread_cond_wait(&vm->cond, &vm->lock);
    vcpu->parked = false;
    vm->nrunning++;
}

bool runctl_wait_runnable(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    pthread_mutex_lock(&vm->lock);
    if (!runctl_may_run(vm, vcpu) && vcpu->io_pending && !vm->ended) {
        /* Let KVM finish the port or MMIO access (registers, RIP) without running further:
         * KVM_RUN with immediate_exit completes it and returns EINTR, so whoever looks at the
         * stopped vCPU sees the state after the access. Should completing it need another
         * exit (string I/O in several rounds), that exit is handled like any other. */
        vcpu->run->immediate_exit = 1;
        pthread_mutex_unlock(&vm->lock);
        return true;
    }
    if (!runctl_may_run(vm, vcpu))
        runctl_park(vm, vcpu, runctl_may_run);
    vcpu->run->immediate_exit = 0;
    bool alive = !vm->ended;
    pthread_mutex_unlock(&vm->lock);
    return alive;
}

/* [lock] Record a stop; the first one since the resume is the one reported, except that a
 * vCPU's plain trap (its step done) gives way to what the same vCPU's instruction hit as it
 * was completed: a read-modify-write of a trapped page exits at its read, which ends a step,
 * and its write, done while the vCPU parks (runctl_wait_runnable), hits the watchpoint. */
static void runctl_post_stop(struct vm *vm, const struct stop_event *ev)
{
    const struct stop_event *old = &vm->stop;
    bool plain_trap = old->kind == STOP_SIGNAL && old->signal == GDB_SIGNAL_TRAP;
    if (vm->stop_pending && !(plain_trap && old->thread == ev->thread && ev->kind >= STOP_SWBREAK &&
                              ev->kind <= STOP_AWATCH))
        return;
    vm->stop = *ev;
    vm->stop_pending = true;
}

/* The stop of a step, or of a vCPU that can run no further: SIGTRAP, as after a step. */
static struct stop_event trap_stop(int thread)
{
    return (struct stop_event){.kind = STOP_SIGNAL, .thread = thread, .signal = GDB_SIGNAL_TRAP};
}

void runctl_report_stop(struct vcpu *vcpu, const struct stop_event *ev)
{
    struct vm *vm = vcpu->vm;
    pthread_mutex_lock(&vm->lock);
    runctl_post_stop(vm, ev);
    runctl_stop_all(vm, vcpu);
    pthread_mutex_unlock(&vm->lock);
}

void runctl_report_step(struct vcpu *vcpu)
{
    struct stop_event ev = trap_stop(vcpu->id + 1);
    runctl_report_stop(vcpu, &ev);
}

void runctl_thread_started(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    pthread_mutex_lock(&vm->lock);
    vcpu->thread_started = true;
    pthread_mutex_unlock(&vm->lock);
}

bool runctl_vcpu_is_done(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    pthread_mutex_lock(&vm->lock);
    bool done = vcpu->done;
    pthread_mutex_unlock(&vm->lock);
    return done;
}

void runctl_restore_vcpu(struct vcpu *vcpu, bool done, int fatal_status,
                         enum vcpu_shutdown fatal_shutdown)
{
    struct vm *vm = vcpu->vm;
    pthread_mutex_lock(&vm->lock);
    vcpu->done = done;
    vcpu->fatal_status = fatal_status;
    vcpu->fatal_shutdown = fatal_shutdown;
    pthread_mutex_unlock(&vm->lock);
}

void runctl_vcpu_done(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    pthread_mutex_lock(&vm->lock);
    vcpu->done = true;
    vcpu->run_requested = false;
    bool all_done = true, others_run = false;
    for (int i = 0; i < vm->ncpus; i++) {
        all_done &= vm->vcpus[i].done;
        others_run |= vm->vcpus[i].run_requested;
    }
    bool attached = vm->debugger_attached;
    pthread_mutex_unlock(&vm->lock);
    if (all_done) {
        runctl_end(vm, EXIT_GUEST_OK);
    } else if (attached && !others_run) {
        /* The debugger let only this vCPU run, and it halted for good: nothing else will
         * stop, so stop here rather than leave gdb waiting. */
        runctl_report_step(vcpu);
    }
}

/* [lock] Every vCPU but self is parked and not told to run, or has no thread: none can enter
 * KVM_RUN. (A vCPU told to run whose thread has not woken yet is as good as running: on a
 * slow host the wake-up can take long enough for a map change to slip in before it.) */
static bool runctl_others_parked(const struct vm *vm, const struct vcpu *self)
{
    for (int i = 0; i < vm->ncpus; i++) {
        const struct vcpu *v = &vm->vcpus[i];
        if (v != self && v->thread_started && (!v->parked || runctl_may_run(vm, v)))
            return false;
    }
    return true;
}

/* [lock] May self take the pause now: no other vCPU holds one, and self may run (a stop that
 * came in keeps it parked). */
static bool runctl_may_take_pause(const struct vm *vm, const struct vcpu *self)
{
    if (vm->pause_owner)
        return vm->pause_owner == self;
    return self->run_requested;
}

bool runctl_pause_others(struct vcpu *self)
{
    struct vm *vm = self->vm;
    pthread_mutex_lock(&vm->lock);
    /* Another vCPU holds a pause, or a stop came in: wait parked, so that they can finish. */
    uint64_t resumes = vm->resumes;
    /* A vCPU the controller drives itself (runctl_begin_inline_step) is parked already, and no
     * other can hold a pause then. */
    bool driven = self->parked;
    if (!driven && !runctl_may_take_pause(vm, self)) {
        runctl_park(vm, self, runctl_may_take_pause);
    }
    if (vm->ended || vm->resumes != resumes) {
        /* It sat through a stop: back out (the exit is taken again, afresh). */
        pthread_mutex_unlock(&vm->lock);
        return false;
    }
    vm->pause_owner = self;
    vm->pause_depth++;
    for (int i = 0; i < vm->ncpus; i++)
        runctl_kick(&vm->vcpus[i], self); /* leaves run_requested alone: they resume after */
    while (!runctl_others_parked(vm, self) && !vm->ended)
        pthread_cond_wait(&vm->parked_cond, &vm->lock);
    pthread_mutex_unlock(&vm->lock);
    return true;
}

void runctl_unpause_others(struct vcpu *self)
{
    struct vm *vm = self->vm;
    pthread_mutex_lock(&vm->lock);
    if (vm->pause_owner == self && --vm->pause_depth == 0)
        vm->pause_owner = NULL;
    pthread_mutex_unlock(&vm->lock);
    pthread_cond_broadcast(&vm->cond);
}

bool runctl_map_held(struct vm *vm, const struct vcpu *self)
{
    pthread_mutex_lock(&vm->lock);
    bool held = runctl_others_parked(vm, self) &&
                (self ? vm->pause_owner == self || vm->nrunning == 0 : !vm->pause_owner);
    pthread_mutex_unlock(&vm->lock);
    return held;
}

void runctl_wake(struct vm *vm)
{
    pthread_mutex_lock(&vm->lock);
    runctl_notify(vm);
    pthread_mutex_unlock(&vm->lock);
}

bool runctl_attached(struct vm *vm)
{
    pthread_mutex_lock(&vm->lock);
    bool attached = vm->debugger_attached;
    pthread_mutex_unlock(&vm->lock);
    return attached;
}

bool runctl_ended(struct vm *vm)
{
    pthread_mutex_lock(&vm->lock);
    bool ended = vm->ended;
    pthread_mutex_unlock(&vm->lock);
    return ended;
}

void runctl_wait_parked(struct vm *vm)
{
    pthread_mutex_lock(&vm->lock);
    while (vm->nrunning > 0 && !vm->ended)
        pthread_cond_wait(&vm->parked_cond, &vm->lock);
    pthread_mutex_unlock(&vm->lock);
}

void runctl_set_attached(struct vm *vm, bool attached)
{
    pthread_mutex_lock(&vm->lock);
    vm->debugger_attached = attached;
    pthread_mutex_unlock(&vm->lock);
}

void runctl_end(struct vm *vm, int status)
{
    pthread_mutex_lock(&vm->lock);
    bool first = !vm->ended;
    if (first) {
        vm->ended = true;
        vm->exit_status = status;
        runctl_stop_all(vm, NULL);
    }
    if (first)
        runctl_notify(vm);
    pthread_mutex_unlock(&vm->lock);
    if (first) {
        pthread_cond_broadcast(&vm->cond);
        pthread_cond_broadcast(&vm->parked_cond);
    }
}

/* Whether every vCPU the actions let run only steps (a single step or a range). */
static bool runctl_steps_only(const struct vm *vm, const struct resume_action *actions)
{
    if (!actions)
        return false;
    for (int i = 0; i < vm->ncpus; i++)
        if (actions[i].kind != RESUME_NONE && actions[i].kind != RESUME_STEP &&
            actions[i].kind != RESUME_RANGE)
            return false;
    return true;
}

/* The controller's memory-map changes, given to KVM while every vCPU is still parked (a run of
 * steps alone keeps the lingering write protections, vm/memslots.h). False when the guest has
 * ended, or ends now: a map KVM did not take whole ends it (memslots.c). */
static bool runctl_map_synced(struct vm *vm, const struct resume_action *actions)
{
    if (runctl_ended(vm))
        return false; /* said already */
    if (memslots_sync(vm, runctl_steps_only(vm, actions)) == 0)
        return true;
    runctl_end(vm, EXIT_GUEST_CRASH); /* the map ends it already; the rule's internal error too */
    return false;
}

void runctl_resume(struct vm *vm, const struct resume_action *actions)
{
    if (!runctl_map_synced(vm, actions))
        return;
    pthread_mutex_lock(&vm->lock);
    vm->stop_pending = false;
    vm->resumes++;
    int started = 0, first_requested = 0;
    for (int i = 0; i < vm->ncpus; i++) {
        struct vcpu *vcpu = &vm->vcpus[i];
        enum resume_kind kind = actions ? actions[i].kind : RESUME_CONTINUE;
        if (kind == RESUME_NONE)
            continue;
        if (!first_requested)
            first_requested = i + 1;
        if (vcpu->done)
            continue;
        vcpu->action = kind;
        if (kind == RESUME_RANGE) {
            vcpu->range_start = actions[i].start;
            vcpu->range_end = actions[i].end;
        }
        vcpu->run_requested = true;
        started++;
    }
    if (started == 0 && !vm->ended) {
        /* Nothing can run (every chosen vCPU has halted for good): report a stop at once
         * rather than leaving the debugger waiting forever. */
        struct stop_event ev = trap_stop(first_requested ? first_requested : 1);
        runctl_post_stop(vm, &ev);
    }
    runctl_announce_if_complete(vm);
    pthread_mutex_unlock(&vm->lock);
    pthread_cond_broadcast(&vm->cond);
}

struct vcpu *runctl_begin_inline_step(struct vm *vm, const struct resume_action *actions)
{
    struct vcpu *step = NULL;
    if (!runctl_map_synced(vm, actions))
        return NULL;
    pthread_mutex_lock(&vm->lock);
    for (int i = 0; i < vm->ncpus; i++) {
        enum resume_kind kind = actions ? actions[i].kind : RESUME_CONTINUE;
        if (kind == RESUME_NONE)
            continue;
        if (kind != RESUME_STEP || step) {
            step = NULL; /* anything but exactly one vCPU stepping runs on the vCPU threads */
            break;
        }
        step = &vm->vcpus[i];
    }
    /* Only without an in-kernel irqchip: there no instruction can block KVM_RUN for long (HLT
     * exits), so the controller never waits on a step it could not interrupt. */
    if (step && (vm->cfg->irqchip || step->done || !step->parked || step->io_pending || vm->ended ||
                 vm->nrunning != 0 || vm->pause_owner))
        step = NULL;
    if (step) {
        vm->stop_pending = false;
        step->action = RESUME_STEP;
    }
    pthread_mutex_unlock(&vm->lock);
    return step;
}

void runctl_end_inline_step(struct vcpu *vcpu, bool announce)
{
    struct vm *vm = vcpu->vm;
    pthread_mutex_lock(&vm->lock);
    if (!vm->ended) {
        struct stop_event ev = trap_stop(vcpu->id + 1);
        runctl_post_stop(vm, &ev);
    }
    if (announce)
        runctl_announce_if_complete(vm);
    pthread_mutex_unlock(&vm->lock);
}

void runctl_report_controller_stop(struct vm *vm, const struct stop_event *ev)
{
    pthread_mutex_lock(&vm->lock);
    if (!vm->ended) {
        vm->stop = *ev;
        vm->stop_pending = true;
    }
    runctl_announce_if_complete(vm);
    pthread_mutex_unlock(&vm->lock);
}

bool runctl_stop_reported(struct vm *vm)
{
    pthread_mutex_lock(&vm->lock);
    bool stopped = vm->stop_pending || vm->ended;
    pthread_mutex_unlock(&vm->lock);
    return stopped;
}

void runctl_interrupt(struct vm *vm)
{
    pthread_mutex_lock(&vm->lock);
    if (!vm->stop_pending && !vm->ended) {
        int thread = 1;
        for (int i = vm->ncpus - 1; i >= 0; i--)
            if (vm->vcpus[i].run_requested)
                thread = i + 1;
        struct stop_event ev = {.kind = STOP_SIGNAL, .thread = thread, .signal = GDB_SIGNAL_INT};
        runctl_post_stop(vm, &ev);
        runctl_stop_all(vm, NULL);
    }
    runctl_announce_if_complete(vm);
    pthread_mutex_unlock(&vm->lock);
}

bool runctl_take_stop(struct vm *vm, struct stop_event *ev)
{
    pthread_mutex_lock(&vm->lock);
    bool have = runctl_complete(vm);
    if (have && vm->ended)
        *ev = (struct stop_event){.kind = STOP_EXITED, .thread = 1, .exit_status = vm->exit_status};
    else if (have)
        *ev = vm->stop;
    /* The state above is what counts. Every notification is written under the lock with the
     * state it announces (runctl_notify), so draining loses none and leaves none stale. */
    uint64_t drained;
    while (read(vm->event_fd, &drained, sizeof(drained)) > 0)
        ;
    pthread_mutex_unlock(&vm->lock);
    return have;
}

void runctl_last_stop(struct vm *vm, struct stop_event *ev)
{
    pthread_mutex_lock(&vm->lock);
    *ev = vm->stop;
    pthread_mutex_unlock(&vm->lock);
}

int runctl_wait_end(struct vm *vm)
{
    for (;;) {
        struct pollfd p = {.fd = vm->event_fd, .events = POLLIN};
        if (poll(&p, 1, -1) < 0 && errno != EINTR)
            return diag_errno("poll on the VM's event fd"), EXIT_SETUP;
        struct stop_event ev;
        if (!runctl_take_stop(vm, &ev))
            continue;
        if (ev.kind == STOP_EXITED)
            return ev.exit_status;
        /* Without a debugger nothing should stop the guest; run on if something did. */
        runctl_resume(vm, NULL);
    }
}
