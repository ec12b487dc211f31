/* bench/measure.c — the measurements and the stubs they run against. Implements measure.h. */
#include "bench/measure.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench/attach.h"
#include "bench/debug_session.h"
#include "bench/kvm_step.h"
#include "bench/linux_boot.h"
#include "bench/rtt_floor.h"
#include "bench/startup.h"
#include "loader/linux_cmdline.h"

#define MEASURE_ERR_MAX        REPORT_WHY_MAX
#define MEASURE_PATH_MAX       4096
#define READY_TIMEOUT_MS       120000 /* QEMU runs SeaBIOS under the emulator first: seconds */
#define KVM_STEPS              20000
#define SLOT_MAX_FAILED_STARTS 2 /* then a stub is given up for the run */
/* The floor's replies are the size of kvmstub's `g` reply for a 32-bit guest. */
#define RTT_FLOOR_REPLY 704

/* One stub under test: its process and, for the debugging scenarios, a session. */
struct slot {
    struct stub_cmd cmd;
    struct stub_proc proc;
    struct dbg_session sess;
    bool running; /* the process */
    bool ready;   /* the session, stopped at the guest's ready point */
    int failed_starts;
    char start_err[MEASURE_ERR_MAX];
    char log[MEASURE_PATH_MAX];
};

static void progress(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

void measure_rows_init(struct row rows[ROW_COUNT])
{
    static const struct {
        int id;
        const char *name, *unit;
        bool higher_better;
    } fixed[] = {
        {ROW_RTT_FLOOR, "TCP request/reply floor (ref.)", "us", false},
        {ROW_KVM_STEP, "KVM single-step exit (bare VM, ref.)", "us/step", false},
        {ROW_KVM_STEP_REGS, "  + KVM_GET_REGS per step (ref.)", "us/step", false},
        {ROW_ATTACH, "attach: connect -> `?` -> stop", "us", false},
        {ROW_HANDSHAKE, "attach: gdb handshake (note below)", "us", false},
        {ROW_START_LISTEN, "start-up: exec -> listening", "ms", false},
        {ROW_START_STOP, "start-up: exec -> first stop reply", "ms", false},
        {ROW_RSS, "peak RSS, 256 MiB guest", "MiB", false},
        {ROW_LINUX_BZIMAGE_MILESTONE, "Linux bzImage: exec -> FPU init line", "s", false},
        {ROW_LINUX_BZIMAGE, "Linux bzImage: exec -> marker", "s", false},
        {ROW_LINUX_PVH_MILESTONE, "Linux PVH: exec -> FPU init line", "s", false},
        {ROW_LINUX_PVH, "Linux PVH: exec -> marker", "s", false},
    };
    for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++)
        rows[fixed[i].id] = (struct row){
            .name = fixed[i].name, .unit = fixed[i].unit, .higher_better = fixed[i].higher_better};
    for (int id = 0; id < SC_COUNT; id++) {
        const struct scenario_info *info = scenario_info((enum scenario_id)id);
        rows[ROW_SCENARIO + id] = (struct row){
            .name = info->name, .unit = info->unit, .higher_better = info->higher_better};
    }
}

/* ---- the stubs in the debugging scenarios ---- */

static void slot_down(struct slot *s)
{
    if (s->running) {
        dbg_close(&s->sess);
        stub_stop(&s->proc);
    }
    s->running = s->ready = false;
}

static int slot_start(struct slot *s, char *err, size_t errlen)
{
    if (s->running)
        return 0;
    if (stub_start(&s->cmd, &s->proc, err, errlen) < 0)
        return -1;
    progress("%s: pid %d, gdb on %s:%u", stub_kind_name(s->cmd.kind), (int)s->proc.pid, STUB_HOST,
             s->proc.port);
    s->running = true;
    memset(&s->sess, 0, sizeof(s->sess));
    return 0;
}

/* Running, attached, stopped where the guest's pattern is complete. A stub that failed to
 * get there twice is not tried again. */
static int slot_ready(struct slot *s, const struct guest_layout *g, char *err, size_t errlen)
{
    if (s->ready)
        return 0;
    if (s->failed_starts >= SLOT_MAX_FAILED_STARTS) {
        snprintf(err, errlen, "%s", s->start_err);
        return -1;
    }
    if (slot_start(s, s->start_err, sizeof(s->start_err)) < 0 ||
        dbg_open(&s->sess, STUB_HOST, s->proc.port) < 0 ||
        dbg_run_to(&s->sess, g->ready, g->spin_end, READY_TIMEOUT_MS) < 0) {
        if (s->running)
            snprintf(s->start_err, sizeof(s->start_err), "%s", s->sess.err);
        snprintf(err, errlen, "%s", s->start_err);
        s->failed_starts++;
        slot_down(s);
        return -1;
    }
    s->failed_starts = 0;
    s->ready = true;
    return 0;
}

/* ---- measurements ---- */

static void measure_rtt_floor(struct row *rows, const struct measure_config *o)
{
    char err[MEASURE_ERR_MAX];
    struct cell *c = &rows[ROW_RTT_FLOOR].cell[STUB_KVMSTUB];
    progress("request/reply floor (%d round trips x %d)", o->params.regs, o->reps);
    for (int rep = 0; rep < o->reps; rep++) {
        double us;
        if (rtt_floor_measure(o->params.regs, RTT_FLOOR_REPLY, &us, err, sizeof(err)) < 0) {
            cell_fail(c, CELL_FAILED, "%s", err);
            break;
        }
        cell_ok(c, us);
    }
}

static void measure_kvm_reference(struct row *rows, const struct measure_config *o)
{
    char err[MEASURE_ERR_MAX];
    progress("KVM single-step reference (%d exits x %d)", KVM_STEPS, o->reps);
    for (int regs = 0; regs < 2; regs++) {
        struct cell *c = &rows[regs ? ROW_KVM_STEP_REGS : ROW_KVM_STEP].cell[STUB_KVMSTUB];
        for (int rep = 0; rep < o->reps; rep++) {
            double us;
            if (kvm_step_measure(KVM_STEPS, regs, &us, err, sizeof(err)) < 0) {
                cell_fail(c, CELL_FAILED, "%s", err);
                break;
            }
            cell_ok(c, us);
        }
    }
}

static void measure_attach(struct row *rows, const struct measure_config *o, struct slot *slots)
{
    char err[MEASURE_ERR_MAX];
    progress("attach (%d connections x %d)", o->attaches, o->reps);
    for (int handshake = 0; handshake < 2; handshake++) {
        struct row *r = &rows[handshake ? ROW_HANDSHAKE : ROW_ATTACH];
        for (int rep = 0; rep < o->reps; rep++) {
            for (int k = 0; k < STUB_KINDS; k++) {
                struct slot *s = &slots[k];
                double us;
                if (!o->binary[k] || r->cell[k].state == CELL_FAILED)
                    continue;
                if (slot_start(s, err, sizeof(err)) < 0 ||
                    attach_measure(STUB_HOST, s->proc.port, handshake, o->attaches, &us, err,
                                   sizeof(err)) < 0) {
                    cell_fail(&r->cell[k], CELL_FAILED, "%s", err);
                    slot_down(s);
                    continue;
                }
                cell_ok(&r->cell[k], us);
            }
        }
    }
}

/* The order matters for QEMU: its software breakpoints end its VM, so they come last. */
static const enum scenario_id scenario_order[] = {
    SC_REGS,      SC_STEP,   SC_STEP_VCONT, SC_MEM_HEX,  SC_MEM_BINARY, SC_HW_BREAK,
    SC_INTERRUPT, SC_RECORD, SC_RSTEP_10K,  SC_RSTEP_1M, SC_RCONT_1M,   SC_SW_BREAK,
};

static void measure_scenarios(struct row *rows, const struct measure_config *o, struct slot *slots,
                              const struct guest_layout *g)
{
    char err[MEASURE_ERR_MAX];
    for (size_t i = 0; i < sizeof(scenario_order) / sizeof(*scenario_order); i++) {
        enum scenario_id id = scenario_order[i];
        struct row *r = &rows[ROW_SCENARIO + id];
        if (!(o->groups & (GROUP_SCENARIOS << id)))
            continue;
        progress("%s (%d repetitions)", r->name, o->reps);
        for (int rep = 0; rep < o->reps; rep++) {
            for (int k = 0; k < STUB_KINDS; k++) {
                struct slot *s = &slots[k];
                struct cell *c = &r->cell[k];
                double value;
                if (!o->binary[k] || c->state == CELL_FAILED || c->state == CELL_NA)
                    continue;
                if (slot_ready(s, g, err, sizeof(err)) < 0) {
                    cell_fail(c, CELL_FAILED, "could not start: %s", err);
                    continue;
                }
                const char *missing = scenario_unsupported(id, &s->sess);
                if (missing) {
                    cell_fail(c, CELL_NA, "%s", missing);
                    continue;
                }
                if (scenario_run(id, &s->sess, g, &o->params, &value, err, sizeof(err)) < 0) {
                    cell_fail(c, CELL_FAILED, "repetition %d: %s", rep + 1, err);
                    progress("%s: %s: %s", stub_kind_name((enum stub_kind)k), r->name, err);
                    slot_down(s); /* whatever state it is in, start afresh */
                    continue;
                }
                cell_ok(c, value);
            }
        }
    }
}

static void measure_startup(struct row *rows, const struct measure_config *o, struct slot *slots)
{
    char err[MEASURE_ERR_MAX];
    progress("start-up (%d starts each)", o->starts);
    for (int i = 0; i < o->starts; i++) {
        for (int k = 0; k < STUB_KINDS; k++) {
            struct startup_times t;
            struct cell *listen = &rows[ROW_START_LISTEN].cell[k];
            struct cell *stop = &rows[ROW_START_STOP].cell[k];
            if (!o->binary[k] || listen->state == CELL_FAILED)
                continue;
            if (startup_measure(&slots[k].cmd, &t, err, sizeof(err)) < 0) {
                cell_fail(listen, CELL_FAILED, "%s", err);
                cell_fail(stop, CELL_FAILED, "%s", err);
                continue;
            }
            cell_ok(listen, t.listen_ms);
            cell_ok(stop, t.first_stop_ms);
        }
    }
}

static void measure_rss(struct row *rows, const struct measure_config *o, struct slot *slots,
                        const struct guest_layout *g)
{
    char err[MEASURE_ERR_MAX];
    progress("peak RSS with %u MiB of guest RAM", o->rss_mib);
    for (int k = 0; k < STUB_KINDS; k++) {
        struct stub_cmd cmd = slots[k].cmd;
        struct cell *c = &rows[ROW_RSS].cell[k];
        double mib;
        if (!o->binary[k])
            continue;
        cmd.memory_mib = o->rss_mib;
        if (rss_measure(&cmd, g->ready, g->spin_end, READY_TIMEOUT_MS, &mib, err, sizeof(err)) < 0)
            cell_fail(c, CELL_FAILED, "%s", err);
        else
            cell_ok(c, mib);
    }
}

static void measure_linux(struct row *rows, const struct measure_config *o)
{
    char cmdline[LINUX_CMDLINE_BUF], why[MEASURE_ERR_MAX], console[MEASURE_PATH_MAX],
        log[MEASURE_PATH_MAX];
    const char *kernels[] = {o->bzimage, o->vmlinux};
    const int row_ids[] = {ROW_LINUX_BZIMAGE, ROW_LINUX_PVH};
    const int milestone_rows[] = {ROW_LINUX_BZIMAGE_MILESTONE, ROW_LINUX_PVH_MILESTONE};
    /* QEMU boots with the command line kvmstub gives Linux on this host. */
    linux_cmdline_build(cmdline, sizeof(cmdline), NULL, false, access(PVM_MODULE, F_OK) == 0);
    for (int i = 0; i < 2; i++) {
        for (int k = 0; k < STUB_KINDS; k++) {
            const char *name = stub_kind_name((enum stub_kind)k);
            struct cell *c = &rows[row_ids[i]].cell[k];
            struct cell *mc = &rows[milestone_rows[i]].cell[k];
            struct linux_boot_times t;
            why[0] = '\0';
            if (!o->binary[k] || !kernels[i] || !o->initrd)
                continue;
            progress("%s: %s to '%s' (timeout %d s)", name, rows[row_ids[i]].name, o->marker,
                     o->linux_timeout_s);
            snprintf(console, sizeof(console), "%s/linux-%d-%s.console", o->logs, i, name);
            snprintf(log, sizeof(log), "%s/linux-%d-%s.log", o->logs, i, name);
            struct linux_boot_cmd cmd = {.kind = (enum stub_kind)k,
                                         .binary = o->binary[k],
                                         .kernel = kernels[i],
                                         .initrd = o->initrd,
                                         .cmdline = cmdline,
                                         .memory_mib = LINUX_MEMORY_MIB,
                                         .marker = o->marker,
                                         .milestone = LINUX_MILESTONE,
                                         .timeout_s = o->linux_timeout_s,
                                         .console = console,
                                         .log = log};
            if (linux_boot_measure(&cmd, &t, why, sizeof(why)) < 0) {
                cell_fail(c, CELL_FAILED, "did not reach the marker: %s", why);
                progress("%s", why);
            } else {
                cell_ok(c, t.marker_s);
            }
            if (t.milestone_s >= 0)
                cell_ok(mc, t.milestone_s);
            else
                cell_fail(mc, CELL_FAILED, "no '%s' line: %s", LINUX_MILESTONE, why);
        }
    }
}

void measure_all(const struct measure_config *o, const struct guest_layout *g,
                 struct row rows[ROW_COUNT])
{
    struct slot slots[STUB_KINDS];
    memset(slots, 0, sizeof(slots));
    for (int k = 0; k < STUB_KINDS; k++) {
        snprintf(slots[k].log, sizeof(slots[k].log), "%s/%s.log", o->logs,
                 stub_kind_name((enum stub_kind)k));
        slots[k].cmd = (struct stub_cmd){.kind = (enum stub_kind)k,
                                         .binary = o->binary[k],
                                         .image = o->image,
                                         .log = slots[k].log};
    }
    if (o->groups & GROUP_REFERENCE) {
        measure_rtt_floor(rows, o);
        measure_kvm_reference(rows, o);
    }
    if (o->groups & GROUP_ATTACH)
        measure_attach(rows, o, slots);
    measure_scenarios(rows, o, slots, g);
    for (int k = 0; k < STUB_KINDS; k++)
        slot_down(&slots[k]);
    if (o->groups & GROUP_STARTUP)
        measure_startup(rows, o, slots);
    if (o->groups & GROUP_RSS)
        measure_rss(rows, o, slots, g);
    if (o->groups & GROUP_LINUX)
        measure_linux(rows, o);
}
