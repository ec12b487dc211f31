/* vm/runctl.c — vCPU parking, kicks, all-stop and the end of the guest. */
#include "vm/runctl.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/exit_status.h"
#include "vm/vm.h"

static void runctl_kick_handler(int sig)
{
    (void)sig; /* only there to make KVM_RUN return EINTR */
}

int runctl_init(struct vm *vm)
{
    pthread_mutex_init(&vm->lock, NULL);
    pthread_cond_init(&vm->cond, NULL);
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

static void runctl_notify(struct vm *vm)
{
    uint64_t one = 1;
    ssize_t n = write(vm->event_fd, &one, sizeof(one));
    (void)n; /* an eventfd write only fails when the counter would overflow */
}

/* [lock] Make a vCPU leave KVM_RUN (or not enter it) and park. `self` is the vCPU whose own
 * thread asks: it is on its way to park and needs no signal. */
static void runctl_kick(struct vcpu *vcpu, const struct vcpu *self)
{
    __atomic_store_n(&vcpu->run_requested, false, __ATOMIC_RELEASE);
    if (vcpu->parked || !vcpu->thread_started || vcpu == self)
        return;
    vcpu->run->immediate_exit = 1;
    pthread_kill(vcpu->thread, RUNCTL_KICK_SIGNAL);
}

/* [lock] Stop every vCPU (self: the caller's own, or NULL). */
static void runctl_stop_all(struct vm *vm, const struct vcpu *self)
{
    for (int i = 0; i < vm->ncpus; i++)
        runctl_kick(&vm->vcpus[i], self);
}

/* [lock] The stop is complete once nothing runs. */
static void runctl_check_complete(struct vm *vm)
{
    if (vm->nrunning == 0 && (vm->stop_pending || vm->ended))
        runctl_notify(vm);
}

bool runctl_wait_runnable(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    pthread_mutex_lock(&vm->lock);
    if (vcpu->run_requested && !vm->ended) {
        vcpu->run->immediate_exit = 0;
        pthread_mutex_unlock(&vm->lock);
        return true;
    }
    if (vcpu->io_pending && !vm->ended) {
        /* Let KVM finish the port or MMIO access (registers, RIP) without running further:
         * KVM_RUN with immediate_exit completes it and returns EINTR, so whoever looks at the
         * stopped vCPU sees the state after the access. Should completing it need another
         * exit (string I/O in several rounds), that exit is handled like any other. */
        vcpu->run->immediate_exit = 1;
        pthread_mutex_unlock(&vm->lock);
        return true;
    }
    vcpu->parked = true;
    __atomic_store_n(&vm->nrunning, vm->nrunning - 1, __ATOMIC_RELEASE);
    if (vm->nrunning == 0 && (vm->stop_pending || vm->ended)) {
        /* The stop is complete: tell the controller without holding the lock it wants next. */
        pthread_mutex_unlock(&vm->lock);
        runctl_notify(vm);
        pthread_mutex_lock(&vm->lock);
    }
    while (!vcpu->run_requested && !vm->ended)
        pthread_cond_wait(&vm->cond, &vm->lock);
    vcpu->parked = false;
    __atomic_store_n(&vm->nrunning, vm->nrunning + 1, __ATOMIC_RELEASE);
    vcpu->run->immediate_exit = 0;
    bool alive = !vm->ended;
    pthread_mutex_unlock(&vm->lock);
    return alive;
}

/* [lock] Record a stop; the first one since the resume is the one reported. */
static void runctl_post_stop(struct vm *vm, const struct stop_event *ev)
{
    if (!vm->stop_pending) {
        vm->stop = *ev;
        __atomic_store_n(&vm->stop_pending, true, __ATOMIC_RELEASE);
    }
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

void runctl_vcpu_done(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    pthread_mutex_lock(&vm->lock);
    vcpu->done = true;
    __atomic_store_n(&vcpu->run_requested, false, __ATOMIC_RELEASE);
    bool all_done = true, others_run = false;
    for (int i = 0; i < vm->ncpus; i++) {
        all_done &= vm->vcpus[i].done;
        others_run |= vm->vcpus[i].run_requested;
    }
    bool attached = vm->debugger_attached;
    pthread_mutex_unlock(&vm->lock);
    if (all_done) {
        vm_end(vm, EXIT_GUEST_OK);
    } else if (attached && !others_run) {
        /* The debugger let only this vCPU run, and it halted for good: nothing else will
         * stop, so stop here rather than leave gdb waiting. */
        struct stop_event ev = trap_stop(vcpu->id + 1);
        runctl_report_stop(vcpu, &ev);
    }
}

void vm_end(struct vm *vm, int status)
{
    pthread_mutex_lock(&vm->lock);
    if (!vm->ended) {
        __atomic_store_n(&vm->ended, true, __ATOMIC_RELEASE);
        vm->exit_status = status;
        runctl_stop_all(vm, NULL);
        pthread_cond_broadcast(&vm->cond);
        runctl_notify(vm);
    }
    pthread_mutex_unlock(&vm->lock);
}

void runctl_resume(struct vm *vm, const struct resume_action *actions)
{
    pthread_mutex_lock(&vm->lock);
    vm->stop_pending = false;
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
        __atomic_store_n(&vcpu->run_requested, true, __ATOMIC_RELEASE);
        started++;
    }
    if (started == 0 && !vm->ended) {
        /* Nothing can run (every chosen vCPU has halted for good): report a stop at once
         * rather than leaving the debugger waiting forever. */
        struct stop_event ev = trap_stop(first_requested ? first_requested : 1);
        runctl_post_stop(vm, &ev);
        runctl_notify(vm);
    }
    pthread_mutex_unlock(&vm->lock);
    pthread_cond_broadcast(&vm->cond); /* the woken threads need the lock: wake them after */
}

struct vcpu *runctl_begin_inline_step(struct vm *vm, const struct resume_action *actions)
{
    struct vcpu *step = NULL;
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
                 vm->nrunning != 0))
        step = NULL;
    if (step) {
        vm->stop_pending = false;
        step->action = RESUME_STEP;
    }
    pthread_mutex_unlock(&vm->lock);
    return step;
}

void runctl_end_inline_step(struct vcpu *vcpu)
{
    struct vm *vm = vcpu->vm;
    pthread_mutex_lock(&vm->lock);
    if (!vm->ended) {
        struct stop_event ev = trap_stop(vcpu->id + 1);
        runctl_post_stop(vm, &ev);
    }
    runctl_notify(vm);
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
        runctl_check_complete(vm);
    }
    pthread_mutex_unlock(&vm->lock);
}

bool runctl_take_stop(struct vm *vm, struct stop_event *ev)
{
    bool have = false;
    pthread_mutex_lock(&vm->lock);
    if (vm->ended) {
        *ev = (struct stop_event){.kind = STOP_EXITED, .thread = 1, .exit_status = vm->exit_status};
        have = true;
    } else if (vm->stop_pending && vm->nrunning == 0) {
        *ev = vm->stop;
        have = true;
    }
    /* The state above is what counts; a notification it does not back is stale. Notifications
     * are written under this lock or for a state that holds under it, so none is lost. */
    uint64_t drained;
    while (read(vm->event_fd, &drained, sizeof(drained)) > 0)
        ;
    pthread_mutex_unlock(&vm->lock);
    return have;
}

bool runctl_running(struct vm *vm)
{
    pthread_mutex_lock(&vm->lock);
    bool running = vm->nrunning > 0;
    pthread_mutex_unlock(&vm->lock);
    return running;
}
