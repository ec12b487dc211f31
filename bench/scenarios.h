/* bench/scenarios.h — the debugging scenarios, run the same way against any stub. Each
 * repetition measures one number and checks what it measured: a step lands on the next
 * instruction, a breakpoint stop is at the breakpoint and the guest went once round its loop,
 * memory holds the guest's pattern, an interrupt stops the spinning guest with SIGINT.
 *
 * The session must be stopped with the guest's pattern complete (dbg_run_to the ready point);
 * a scenario moves the pc where it needs it and leaves no breakpoint behind when it succeeds.
 */
#ifndef KVMSTUB_BENCH_SCENARIOS_H
#define KVMSTUB_BENCH_SCENARIOS_H

#include <stdbool.h>
#include <stddef.h>

#include "bench/debug_session.h"
#include "bench/guest_layout.h"

enum scenario_id {
    SC_STEP,       /* N × `s` */
    SC_STEP_VCONT, /* N × `vCont;s:TID;c`, gdb's stepi */
    SC_REGS,       /* N × `g` */
    SC_HW_BREAK,   /* N × (z1, s, Z1, c): gdb's continue from a hardware breakpoint */
    SC_SW_BREAK,   /* N × (z0, s, Z0, c): the same with a software breakpoint */
    SC_MEM_HEX,    /* the pattern with `m`, PacketSize / 2 bytes a request */
    SC_MEM_BINARY, /* the pattern with `x`, the same size a request */
    SC_INTERRUPT,  /* N × (c, 0x03 on a spinning guest, stop reply) */
    SC_RECORD,     /* instructions recorded a second (monitor record on, continue) */
    SC_RSTEP_10K,  /* N × `bs` after 10k recorded instructions */
    SC_RSTEP_1M,   /* N × `bs` after 1M */
    SC_RCONT_1M,   /* `bc` back over 1M instructions to the start of the history */
    SC_COUNT
};

struct scenario_params {
    int steps, regs, breaks, interrupts; /* operations per repetition */
    int reverse_steps;                   /* bs per repetition */
};

struct scenario_info {
    const char *name; /* for the table */
    const char *unit; /* of the value a repetition returns */
    bool higher_better;
};

const struct scenario_info *scenario_info(enum scenario_id id);

/* Why the stub cannot run this scenario (it lacks the packet), or NULL. */
const char *scenario_unsupported(enum scenario_id id, const struct dbg_session *s);

/* One repetition: 0 with *value in the scenario's unit, or -1 with the reason in err. */
int scenario_run(enum scenario_id id, struct dbg_session *s, const struct guest_layout *g,
                 const struct scenario_params *p, double *value, char *err, size_t errlen);

#endif
