/* vm/runctl.h — run control: park and resume vCPU threads, all-stop, pauses for memory-map
 * changes, the debugger's attachment and the guest's end.
 *
 * Run control owns the stop state (what stopped the guest, whether a stop is complete) and
 * the "debugger attached" flag; the GDB stub only mirrors them through the target interface.
 *
 * Threads. vCPU threads call the vCPU side between KVM_RUN calls; the controller (the GDB
 * stub's thread, or the main thread without a debugger) calls the controller side. A stop is
 * complete, and visible to the controller (vm->event_fd readable, runctl_take_stop true), once
 * it has been reported and no vCPU thread runs: every one is parked in run control (a thread
 * that has not started yet counts as running: vm->nrunning). A vCPU driven by the controller
 * itself (runctl_begin_inline_step) stays parked as far as run control is concerned.
 *
 * The memory map (KVM's memory slots and the MMIO bus, vm/memslots.h) changes only while no
 * vCPU but the caller's own can run: from the controller while the guest is stopped, or from
 * a vCPU thread between runctl_pause_others and runctl_unpause_others (kvmtool's kvm__pause).
 * runctl_map_held says whether the caller may change it now.
 */
#ifndef KVMSTUB_VM_RUNCTL_H
#define KVMSTUB_VM_RUNCTL_H

#include <signal.h>
#include <stdbool.h>

#include "stub/target.h"
#include "vm/vm.h" /* enum vcpu_shutdown */

struct vm;
struct vcpu;

/* The signal that makes a vCPU thread leave KVM_RUN (EINTR); vCPU threads block every other. */
#define RUNCTL_KICK_SIGNAL SIGUSR1

int runctl_init(struct vm *vm);
void runctl_destroy(struct vm *vm);

/* ---- vCPU side ---- */

/* Block while the vCPU is to stay parked; false when the guest has ended (the thread exits).
 * True means: call KVM_RUN (with immediate_exit set when only a pending access is to be
 * completed). */
bool runctl_wait_runnable(struct vcpu *vcpu);
/* This vCPU stopped for a debug reason: stop every vCPU; ev is reported once all are parked.
 * Only the first stop since a resume counts. */
void runctl_report_stop(struct vcpu *vcpu, const struct stop_event *ev);
/* This vCPU finished a single-step (SIGTRAP on its thread). */
void runctl_report_step(struct vcpu *vcpu);
/* The vCPU's thread runs (vm/vcpu.c): from now on a kick signals it. */
void runctl_thread_started(struct vcpu *vcpu);
/* This vCPU has halted for good; the guest ends when every vCPU has. */
void runctl_vcpu_done(struct vcpu *vcpu);
/* For snapshots (vm/snapshot.c), while every vCPU is parked: whether the vCPU halted for good,
 * and putting back that and its fatal stop as a snapshot had them. */
bool runctl_vcpu_is_done(struct vcpu *vcpu);
void runctl_restore_vcpu(struct vcpu *vcpu, bool done, int fatal_status,
                         enum vcpu_shutdown fatal_shutdown);
/* Stop every other vCPU and keep them parked until runctl_unpause_others: the caller may then
 * change the memory map. Nests. A vCPU holding a pause does not park for a stop until it
 * releases it (it holds it for one KVM_RUN, or a bounded run of steps in a trapped page:
 * debug/step_aside.c).
 * A vCPU takes the pause only while no other holds one and it may run: otherwise it waits,
 * parked in the middle of its exit. False means it waited through a stop (or the guest ended):
 * nothing is paused, and what the caller decided from the exit may be stale (gdb may have
 * changed breakpoints, registers, a snapshot may have been restored), so it backs out and the
 * vCPU runs again, to exit again and decide afresh (DESIGN.md §8). */
bool runctl_pause_others(struct vcpu *self);
void runctl_unpause_others(struct vcpu *self);

/* ---- either side ---- */

/* End the guest with status (the first call wins), from any thread. */
void runctl_end(struct vm *vm, int status);
/* The memory map may be changed now by self (a vCPU, or NULL for the controller): no other
 * vCPU can be in KVM_RUN. */
bool runctl_map_held(struct vm *vm, const struct vcpu *self);
/* Wake the controller (its event fd polls readable) for something other than a stop: output
 * of the debugger's to pass on. runctl_take_stop then finds no stop. */
void runctl_wake(struct vm *vm);
/* A debugger is attached: stops go to it rather than ending the guest. */
bool runctl_attached(struct vm *vm);
/* The guest is over (runctl_end was called): nothing runs in it again. */
bool runctl_ended(struct vm *vm);

/* ---- controller side ---- */

/* After the vCPU threads started with nothing requested: wait until every one has parked (or
 * the guest ended), so that the map is the controller's (runctl_map_held). */
void runctl_wait_parked(struct vm *vm);

void runctl_set_attached(struct vm *vm, bool attached);
void runctl_resume(struct vm *vm, const struct resume_action *actions); /* NULL: all continue */
void runctl_interrupt(struct vm *vm);
/* A single-step of exactly one vCPU may run in the controller's own thread (vcpu_step_here):
 * no thread hand-off, which is most of a step's cost. Returns that vCPU, prepared, or NULL
 * when the actions need the vCPU threads. runctl_end_inline_step completes the stop, and with
 * announce tells the controller's poll (the stop fd) as a stop of the vCPU threads does; a
 * controller that steps on at once (a replay) reads the stop with runctl_last_stop and says
 * its own (runctl_report_controller_stop) at the end, saving a write a step. */
struct vcpu *runctl_begin_inline_step(struct vm *vm, const struct resume_action *actions);
void runctl_end_inline_step(struct vcpu *vcpu, bool announce);
/* The controller drove the vCPUs itself (a replay, debug/replay.h) and says what stopped them:
 * ev becomes the stop to take. Only while every vCPU is parked. */
void runctl_report_controller_stop(struct vm *vm, const struct stop_event *ev);
/* A stop (or the end) has been reported since the last resume. */
bool runctl_stop_reported(struct vm *vm);
/* Take a complete stop, or the end (STOP_EXITED); false while neither is there. */
bool runctl_take_stop(struct vm *vm, struct stop_event *ev);
/* The stop the guest is in, or was last in (a fresh VM: SIGTRAP on vCPU 0). */
void runctl_last_stop(struct vm *vm, struct stop_event *ev);
/* Without a debugger: wait for the guest to end; returns kvmstub's exit status. */
int runctl_wait_end(struct vm *vm);

#endif
