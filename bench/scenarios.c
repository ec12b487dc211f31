/* bench/scenarios.c — the debugging scenarios. Implements scenarios.h.
 *
 * Only the protocol round trips a debugger would wait for are timed. Checking must not change
 * what is timed either: reading QEMU's registers makes it write them all back to KVM on the
 * next resume (about 15% more per step), so a stop's pc is checked where the stub sends it in
 * the stop reply, and otherwise once, at the end of the repetition, where a stepped pc or the
 * guest's loop counter can only be right if every step and every hit was.
 */
#include "bench/scenarios.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/clock.h"

/* How long a step, a breakpoint cycle or an interrupt may take before it counts as lost. */
#define SC_STOP_TIMEOUT_MS 10000
/* The guest spins this long after `c` before the interrupt is sent. */
#define SC_SPIN_BEFORE_INTERRUPT_US 2000
#define SC_REQUEST_MAX              64
#define SC_BYTES_PER_MB             1e6
/* Recording: how much, and how long a continue through it (single-stepped) may take. */
#define SC_RECORD_INSTRUCTIONS 100000
#define SC_RECORD_SHALLOW      10000
#define SC_RECORD_DEEP         1000000
#define SC_RECORD_TIMEOUT_MS   600000

static const struct scenario_info infos[SC_COUNT] = {
    [SC_STEP] = {"single-step `s`", "us/step", false},
    [SC_STEP_VCONT] = {"single-step `vCont;s`", "us/step", false},
    [SC_REGS] = {"register read `g`", "us/read", false},
    [SC_HW_BREAK] = {"hw breakpoint cycle (z1 s Z1 c)", "us/cycle", false},
    [SC_SW_BREAK] = {"sw breakpoint cycle (z0 s Z0 c)", "us/cycle", false},
    [SC_MEM_HEX] = {"memory read `m`, 1 MiB", "MB/s", true},
    [SC_MEM_BINARY] = {"memory read `x`, 1 MiB", "MB/s", true},
    [SC_INTERRUPT] = {"Ctrl-C latency (0x03 -> stop)", "us", false},
    [SC_RECORD] = {"recording (monitor record on), 100k instr", "k instr/s", true},
    [SC_RSTEP_10K] = {"reverse-stepi `bs` after 10k recorded", "ms", false},
    [SC_RSTEP_1M] = {"reverse-stepi `bs` after 1M recorded", "ms", false},
    [SC_RCONT_1M] = {"reverse-continue `bc` over 1M instr", "ms", false},
};

struct run {
    struct dbg_session *s;
    const struct guest_layout *g;
    const struct scenario_params *p;
    char *err;
    size_t errlen;
};

static int run_fail(struct run *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, r->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* A failed session operation: its reason becomes the scenario's. */
static int session_fail(struct run *r, const char *what)
{
    return run_fail(r, "%s: %s", what, r->s->err);
}

const struct scenario_info *scenario_info(enum scenario_id id)
{
    return &infos[id];
}

const char *scenario_unsupported(enum scenario_id id, const struct dbg_session *s)
{
    if (id == SC_MEM_BINARY && !s->binary_upload)
        return "no binary-upload (x)";
    if (id == SC_STEP_VCONT && !s->vcont_step)
        return "no vCont;s";
    if ((id == SC_RECORD || id == SC_RSTEP_10K || id == SC_RSTEP_1M || id == SC_RCONT_1M) &&
        !s->reverse)
        return "no reverse execution (bs, bc)";
    return NULL;
}

/* A stop for a step or a breakpoint: SIGTRAP, at `want` when the stop reply says where. */
static int check_trap(struct run *r, const char *what, const struct stop_reply *stop, uint64_t want)
{
    if (stop->kind != 'T' && stop->kind != 'S')
        return run_fail(r, "%s: the guest ended (%c%02x)", what, stop->kind, stop->signal);
    if (stop->signal != RSP_SIGNAL_TRAP)
        return run_fail(r, "%s: stopped with signal %d, not SIGTRAP", what, stop->signal);
    if (stop->has_pc && stop->pc != want)
        return run_fail(r, "%s: stopped at 0x%" PRIx64 ", expected 0x%" PRIx64, what, stop->pc,
                        want);
    return 0;
}

/* At the end of a repetition: the pc read from the registers. */
static int check_final_pc(struct run *r, uint64_t want)
{
    uint64_t pc;
    if (dbg_read_pc(r->s, &pc) < 0)
        return session_fail(r, "final pc");
    if (pc != want)
        return run_fail(r, "the pc is 0x%" PRIx64 " after the repetition, expected 0x%" PRIx64, pc,
                        want);
    return 0;
}

/* Where a step from pc lands in the guest's straight-line block. */
static uint64_t step_next(const struct guest_layout *g, uint64_t pc)
{
    return pc == g->step_end ? g->step : pc + g->step_len;
}

static int run_step(struct run *r, bool vcont, double *value)
{
    char req[SC_REQUEST_MAX];
    struct stop_reply stop;
    uint64_t pc = r->g->step;
    double total = 0;
    if (vcont)
        snprintf(req, sizeof(req), "vCont;s:%s;c", r->s->thread);
    else
        snprintf(req, sizeof(req), "s");
    if (dbg_set_pc(r->s, pc) < 0)
        return session_fail(r, "set pc");
    for (int i = 0; i < r->p->steps; i++) {
        double t0 = clock_now_us();
        if (dbg_resume(r->s, req, SC_STOP_TIMEOUT_MS, &stop) < 0)
            return session_fail(r, "step");
        total += clock_now_us() - t0;
        pc = step_next(r->g, pc);
        if (check_trap(r, "step", &stop, pc) < 0)
            return -1;
    }
    if (check_final_pc(r, pc) < 0)
        return -1;
    *value = total / r->p->steps;
    return 0;
}

static int run_regs(struct run *r, double *value)
{
    const struct target_desc *d = &r->s->desc;
    const char *reply;
    size_t len;
    uint64_t pc = 0, want = r->g->step;
    if (dbg_set_pc(r->s, want) < 0)
        return session_fail(r, "set pc");
    double t0 = clock_now_us();
    for (int i = 0; i < r->p->regs; i++) {
        if (rsp_request(r->s->conn, "g", SC_STOP_TIMEOUT_MS, &reply, &len) < 0)
            return run_fail(r, "g: %s", rsp_error(r->s->conn));
        /* Checked in the loop: a few nanoseconds against a round trip. */
        if (len < 2 * (d->pc_offset + d->pc_size) ||
            !hex_le_decode(reply + 2 * d->pc_offset, d->pc_size, &pc) || pc != want)
            return run_fail(r, "g: %s is not 0x%" PRIx64 " in '%.32s...'", d->pc_name, want, reply);
    }
    *value = (clock_now_us() - t0) / r->p->regs;
    return 0;
}

/* gdb's continue from a breakpoint at the pc: remove it, step over it, put it back, continue
 * to the next hit. Neither stub moves past a breakpoint at the pc on a plain `c` (nothing sets
 * RFLAGS.RF), which is why gdb does this for every kind. */
static int run_break(struct run *r, enum dbg_break_type type, double *value)
{
    const struct guest_layout *g = r->g;
    struct stop_reply step, hit;
    uint32_t before, after;
    double total = 0;
    if (dbg_set_pc(r->s, g->bp) < 0 || dbg_read_u32(r->s, g->counter, &before) < 0 ||
        dbg_break(r->s, true, type, g->bp) < 0)
        return session_fail(r, "setup");
    for (int i = 0; i < r->p->breaks; i++) {
        double t0 = clock_now_us();
        if (dbg_break(r->s, false, type, g->bp) < 0 ||
            dbg_resume(r->s, "s", SC_STOP_TIMEOUT_MS, &step) < 0)
            return session_fail(r, "step over");
        if (dbg_break(r->s, true, type, g->bp) < 0 ||
            dbg_resume(r->s, "c", SC_STOP_TIMEOUT_MS, &hit) < 0)
            return session_fail(r, "continue");
        total += clock_now_us() - t0;
        if (check_trap(r, "step over the breakpoint", &step, g->bp_next) < 0 ||
            check_trap(r, "breakpoint hit", &hit, g->bp) < 0)
            return -1;
    }
    if (check_final_pc(r, g->bp) < 0)
        return -1;
    if (dbg_break(r->s, false, type, g->bp) < 0 || dbg_read_u32(r->s, g->counter, &after) < 0)
        return session_fail(r, "cleanup");
    if (after - before != (uint32_t)r->p->breaks)
        return run_fail(r, "the guest's loop ran %u times for %d breakpoint cycles", after - before,
                        r->p->breaks);
    *value = total / r->p->breaks;
    return 0;
}

static int run_mem(struct run *r, bool binary, double *value)
{
    const struct guest_layout *g = r->g;
    size_t chunk = (size_t)(r->s->packet_size / 2), got;
    uint8_t *buf = malloc(g->pattern_size);
    if (!buf)
        return run_fail(r, "out of memory");
    double t0 = clock_now_us();
    for (size_t off = 0; off < g->pattern_size; off += got) {
        size_t want = g->pattern_size - off < chunk ? g->pattern_size - off : chunk;
        if (dbg_read_mem(r->s, g->pattern + off, want, binary, buf + off, &got) < 0) {
            free(buf);
            return session_fail(r, "read");
        }
        if (got == 0) {
            free(buf);
            return run_fail(r, "read at 0x%" PRIx64 ": no bytes", g->pattern + off);
        }
    }
    double us = clock_now_us() - t0;
    for (size_t i = 0; i < g->pattern_size; i++) {
        if (buf[i] != guest_pattern_byte(g, i)) {
            run_fail(r, "byte 0x%" PRIx64 " is 0x%02x, the guest wrote 0x%02x", g->pattern + i,
                     buf[i], guest_pattern_byte(g, i));
            free(buf);
            return -1;
        }
    }
    free(buf);
    *value = (double)g->pattern_size / SC_BYTES_PER_MB / (us / 1e6);
    return 0;
}

static int run_interrupt(struct run *r, double *value)
{
    const struct guest_layout *g = r->g;
    struct stop_reply stop;
    uint64_t pc;
    double total = 0;
    if (dbg_set_pc(r->s, g->spin) < 0)
        return session_fail(r, "set pc");
    for (int i = 0; i < r->p->interrupts; i++) {
        if (rsp_send_str(r->s->conn, "c") < 0)
            return run_fail(r, "c: %s", rsp_error(r->s->conn));
        clock_sleep_us(SC_SPIN_BEFORE_INTERRUPT_US);
        double t0 = clock_now_us();
        if (rsp_send_interrupt(r->s->conn) < 0)
            return run_fail(r, "interrupt: %s", rsp_error(r->s->conn));
        if (dbg_wait_stop(r->s, SC_STOP_TIMEOUT_MS, &stop) < 0)
            return session_fail(r, "interrupt");
        total += clock_now_us() - t0;
        if (stop.kind != 'T' && stop.kind != 'S')
            return run_fail(r, "the guest ended (%c%02x)", stop.kind, stop.signal);
        if (stop.signal != RSP_SIGNAL_INT)
            return run_fail(r, "stopped with signal %d, not SIGINT", stop.signal);
        if (dbg_stop_pc(r->s, &stop, &pc) < 0)
            return session_fail(r, "pc");
        if (pc < g->spin || pc >= g->spin_end)
            return run_fail(r, "stopped at 0x%" PRIx64 ", outside the spin loop", pc);
    }
    *value = total / r->p->interrupts;
    return 0;
}

/* Record at least `instructions` of the straight-line block: from its start, hardware
 * breakpoint cycles at its end (each goes once round the block, step_count + 1 instructions).
 * *recorded says how many were, *us how long the continues took. */
static int record_block(struct run *r, long instructions, long *recorded, double *us)
{
    const struct guest_layout *g = r->g;
    long per_cycle = (long)((g->step_end - g->step) / g->step_len) + 1;
    struct stop_reply stop;
    *recorded = 0;
    *us = 0;
    if (dbg_set_pc(r->s, g->step) < 0 || dbg_monitor(r->s, "record on") < 0 ||
        dbg_break(r->s, true, DBG_BREAK_HW, g->step_end) < 0)
        return session_fail(r, "record on");
    while (*recorded < instructions) {
        double t0 = clock_now_us();
        if (*recorded > 0 && (dbg_break(r->s, false, DBG_BREAK_HW, g->step_end) < 0 ||
                              dbg_resume(r->s, "s", SC_RECORD_TIMEOUT_MS, &stop) < 0 ||
                              dbg_break(r->s, true, DBG_BREAK_HW, g->step_end) < 0))
            return session_fail(r, "step over the breakpoint");
        if (dbg_resume(r->s, "c", SC_RECORD_TIMEOUT_MS, &stop) < 0)
            return session_fail(r, "continue, recording");
        *us += clock_now_us() - t0;
        if (check_trap(r, "recording", &stop, g->step_end) < 0)
            return -1;
        *recorded += *recorded > 0 ? per_cycle : per_cycle - 1;
    }
    if (dbg_break(r->s, false, DBG_BREAK_HW, g->step_end) < 0)
        return session_fail(r, "cleanup");
    return 0;
}

/* Recording off again (the history goes), and the pc where the block starts. */
static int record_off(struct run *r)
{
    if (dbg_monitor(r->s, "record off") < 0)
        return session_fail(r, "record off");
    return 0;
}

static int run_record(struct run *r, double *value)
{
    long recorded;
    double us;
    if (record_block(r, SC_RECORD_INSTRUCTIONS, &recorded, &us) < 0 || record_off(r) < 0)
        return -1;
    *value = (double)recorded / (us / 1e3); /* per ms = thousands per second */
    return 0;
}

/* bs from the end of `instructions` recorded ones: each lands on the instruction before, which
 * in the straight-line block is the previous one. */
static int run_reverse_step(struct run *r, long instructions, double *value)
{
    const struct guest_layout *g = r->g;
    struct stop_reply stop;
    long recorded;
    double us, total = 0;
    uint64_t pc = g->step_end;
    if (record_block(r, instructions, &recorded, &us) < 0)
        return -1;
    for (int i = 0; i < r->p->reverse_steps; i++) {
        double t0 = clock_now_us();
        if (dbg_resume(r->s, "bs", SC_RECORD_TIMEOUT_MS, &stop) < 0)
            return session_fail(r, "bs");
        total += clock_now_us() - t0;
        pc = pc == g->step ? g->step_end : pc - g->step_len;
        if (check_trap(r, "reverse step", &stop, pc) < 0)
            return -1;
    }
    if (check_final_pc(r, pc) < 0 || record_off(r) < 0)
        return -1;
    *value = total / r->p->reverse_steps / 1e3;
    return 0;
}

/* bc with no breakpoint on the way: back to where recording began, the block's start. */
static int run_reverse_continue(struct run *r, double *value)
{
    struct stop_reply stop;
    long recorded;
    double us;
    if (record_block(r, SC_RECORD_DEEP, &recorded, &us) < 0)
        return -1;
    double t0 = clock_now_us();
    if (dbg_resume(r->s, "bc", SC_RECORD_TIMEOUT_MS, &stop) < 0)
        return session_fail(r, "bc");
    *value = (clock_now_us() - t0) / 1e3;
    if (check_trap(r, "reverse continue", &stop, r->g->step) < 0 ||
        check_final_pc(r, r->g->step) < 0 || record_off(r) < 0)
        return -1;
    return 0;
}

int scenario_run(enum scenario_id id, struct dbg_session *s, const struct guest_layout *g,
                 const struct scenario_params *p, double *value, char *err, size_t errlen)
{
    struct run r = {.s = s, .g = g, .p = p, .err = err, .errlen = errlen};
    switch (id) {
    case SC_STEP: return run_step(&r, false, value);
    case SC_STEP_VCONT: return run_step(&r, true, value);
    case SC_REGS: return run_regs(&r, value);
    case SC_HW_BREAK: return run_break(&r, DBG_BREAK_HW, value);
    case SC_SW_BREAK: return run_break(&r, DBG_BREAK_SW, value);
    case SC_MEM_HEX: return run_mem(&r, false, value);
    case SC_MEM_BINARY: return run_mem(&r, true, value);
    case SC_INTERRUPT: return run_interrupt(&r, value);
    case SC_RECORD: return run_record(&r, value);
    case SC_RSTEP_10K: return run_reverse_step(&r, SC_RECORD_SHALLOW, value);
    case SC_RSTEP_1M: return run_reverse_step(&r, SC_RECORD_DEEP, value);
    case SC_RCONT_1M: return run_reverse_continue(&r, value);
    case SC_COUNT: break;
    }
    return run_fail(&r, "unknown scenario");
}
