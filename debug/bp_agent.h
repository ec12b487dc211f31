/* debug/bp_agent.h — a breakpoint's agent expressions (stub/agent_expr.h): its conditions and
 * commands, kept with the breakpoint, evaluated on the vCPU's own thread where the hit
 * happens; what their printf produces queued for gdb.
 *
 * A hit is reported to gdb when the breakpoint has no conditions, or when one of them is true
 * or fails to evaluate (as gdbserver does: an error is better seen than skipped); a breakpoint
 * with commands (dprintf) runs them and is not reported. Either way a hit that is not reported
 * costs one step aside (debug/step_aside.h), not a round trip to gdb.
 */
#ifndef KVMSTUB_DEBUG_BP_AGENT_H
#define KVMSTUB_DEBUG_BP_AGENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stub/target.h"

struct vcpu;
struct vm;

/* A breakpoint's own copy of what gdb sent (one allocation; NULL when it has nothing). */
struct bp_agent_copy {
    int nconds, ncmds;
    struct bp_agent_expr conds[BP_AGENT_MAX];
    struct bp_agent_expr cmds[BP_AGENT_MAX];
    unsigned hits, skipped, errors; /* hits seen; not reported; evaluations that failed */
};

/* Copy agent (may be NULL or empty: *out becomes NULL). 0, -EINVAL or -ENOMEM. */
int bp_agent_copy(const struct bp_agent *agent, struct bp_agent_copy **out);
void bp_agent_free(struct bp_agent_copy *copy);

/* At a hit on this vCPU: evaluate the conditions, run the commands. True when gdb is to hear
 * of the hit. */
bool bp_agent_hit(struct vcpu *vcpu, struct bp_agent_copy *agent);

/* Text the commands printed, waiting for gdb (bounded; what does not fit is dropped and
 * counted). Any thread may put; the controller takes. */
#define BP_AGENT_OUTPUT_MAX (64 << 10)
struct bp_agent_output {
    pthread_mutex_t lock;
    char *buf; /* BP_AGENT_OUTPUT_MAX bytes, a ring */
    size_t head, count;
    unsigned long dropped;
};
int bp_agent_output_init(struct bp_agent_output *o);
void bp_agent_output_destroy(struct bp_agent_output *o);
size_t bp_agent_output_take(struct vm *vm, char *buf, size_t len);
/* Text for gdb's console (dprintf output, or kvmstub's own word about a resume). */
void bp_agent_output_put(struct vm *vm, const char *text);

#endif
