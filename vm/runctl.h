/* vm/runctl.h — run control: park and resume vCPU threads, all-stop, and the guest's end.
 *
 * vCPU threads call the vcpu-side functions between KVM_RUN calls; the controller (main
 * thread or GDB stub) calls the controller side. A stop becomes visible to the controller
 * (vm->event_fd readable, runctl_take_stop true) only once every vCPU thread is parked.
 */
#ifndef KVMSTUB_VM_RUNCTL_H
#define KVMSTUB_VM_RUNCTL_H

#include <signal.h>
#include <stdbool.h>

#include "stub/target.h"

struct vm;
struct vcpu;

/* The signal that makes a vCPU thread leave KVM_RUN (EINTR); vCPU threads block every other. */
#define RUNCTL_KICK_SIGNAL SIGUSR1

int runctl_init(struct vm *vm);
void runctl_destroy(struct vm *vm);

/* vCPU side. Block while the vCPU is parked; false when the guest has ended (thread exits).
 * True means: call KVM_RUN (with immediate_exit set when only a pending I/O is to complete). */
bool runctl_wait_runnable(struct vcpu *vcpu);
/* This vCPU stopped for a debug reason: stop every vCPU and report ev once all are parked. */
void runctl_report_stop(struct vcpu *vcpu, const struct stop_event *ev);
/* This vCPU has halted for good; the guest ends when every vCPU has. */
void runctl_vcpu_done(struct vcpu *vcpu);

/* Controller side. */
void runctl_resume(struct vm *vm, const struct resume_action *actions); /* NULL: all continue */
void runctl_interrupt(struct vm *vm);
/* A single-step of exactly one vCPU may run in the controller's own thread (vcpu_step_here):
 * no thread hand-off, which is most of a step's cost. Returns that vCPU, prepared, or NULL
 * when the actions need the vCPU threads. runctl_end_inline_step completes the stop. */
struct vcpu *runctl_begin_inline_step(struct vm *vm, const struct resume_action *actions);
void runctl_end_inline_step(struct vcpu *vcpu);
/* A stop (or the end) has been reported since the last resume. */
bool runctl_stop_reported(struct vm *vm);
bool runctl_take_stop(struct vm *vm, struct stop_event *ev);
/* True while any vCPU runs (the controller's view). */
bool runctl_running(struct vm *vm);

#endif
