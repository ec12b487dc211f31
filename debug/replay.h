/* debug/replay.h — moving through a recorded execution (debug/record.h) for gdb: backwards one
 * instruction or to the previous breakpoint or watchpoint hit (bs, bc), and forwards through
 * positions already recorded (after going back, `stepi` and `continue` re-execute the history,
 * with the port reads it holds, up to its end; only from there does the guest run live again).
 *
 * Backwards, a breakpoint hit is a recorded position whose pc is a breakpoint's address (found in
 * the history without executing anything); a watchpoint hit is an instruction that touched the
 * watched bytes, found by re-executing checkpoint intervals, newest first, with the watchpoint's
 * memory trap in place; the stop is before that instruction, as gdb's own record target does.
 * Conditions and commands that gdb gave a breakpoint are not evaluated going backwards.
 *
 * All of it runs on the controller's thread while the guest is stopped, with kvmstub's INT3
 * bytes lifted and debug-register breakpoints masked (the pc check stands in for them). A stop is
 * then reported through run control as if the vCPU had run.
 */
#ifndef KVMSTUB_DEBUG_REPLAY_H
#define KVMSTUB_DEBUG_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "stub/target.h"

struct vm;

/* bs (RESUME_STEP) or bc (RESUME_CONTINUE). 0: the stop is reported; -1: refused, why says why. */
int replay_reverse(struct vm *vm, enum resume_kind kind, char *why, size_t whylen);
/* Whether a resume now re-executes the history instead of running live. */
bool replay_forward_pending(struct vm *vm);
/* A resume (step, range or continue of the one vCPU) through recorded positions. 0: the stop is
 * reported; -1: refused, with why. */
int replay_forward(struct vm *vm, const struct resume_action *action, char *why, size_t whylen);

#endif
