/* bench/main.c — kvmstub against QEMU+KVM, side by side: the command line, the order of the
 * measurements, and the report. `make bench` runs it through bench/run.sh.
 *
 * Debugging scenarios alternate between the two stubs repetition by repetition, so a change in
 * the machine's load hits both alike. A scenario that fails on a stub is recorded with its
 * reason and that stub is restarted for the next scenario; nothing aborts the whole run.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench/attach.h"
#include "bench/debug_session.h"
#include "bench/guest_layout.h"
#include "bench/kvm_step.h"
#include "bench/linux_boot.h"
#include "bench/report.h"
#include "bench/rtt_floor.h"
#include "bench/scenarios.h"
#include "bench/startup.h"
#include "bench/stub_proc.h"
#include "loader/linux_cmdline.h"

#define BENCH_ERR_MAX          REPORT_WHY_MAX
#define BENCH_PATH_MAX         4096
#define READY_TIMEOUT_MS       120000 /* QEMU runs SeaBIOS under the emulator first: seconds */
#define KVM_STEPS              20000
#define LINUX_MEMORY_MIB       256
#define PVM_MODULE             "/sys/module/kvm_pvm"
#define EXIT_BENCH_USAGE       2
#define EXIT_BENCH_SETUP       4
#define SLOT_MAX_FAILED_STARTS 2 /* then a stub is given up for the run */
/* A console line early in the boot that QEMU+KVM reaches on PVM hosts too (it dies right
 * after it), so the two VMMs' boot speed can be compared even where QEMU never gets further.
 * "x87 FPU will use FXSAVE" here, "XSAVE" on hosts that offer it. */
#define LINUX_MILESTONE "x86/fpu: x87 FPU will use"

enum row_id {
    ROW_RTT_FLOOR,
    ROW_KVM_STEP,
    ROW_KVM_STEP_REGS,
    ROW_SCENARIO, /* SC_COUNT rows, in enum scenario_id order */
    ROW_ATTACH = ROW_SCENARIO + SC_COUNT,
    ROW_HANDSHAKE,
    ROW_START_LISTEN,
    ROW_START_STOP,
    ROW_RSS,
    ROW_LINUX_BZIMAGE_MILESTONE,
    ROW_LINUX_BZIMAGE,
    ROW_LINUX_PVH_MILESTONE,
    ROW_LINUX_PVH,
    ROW_COUNT
};

struct options {
    const char *binary[STUB_KINDS]; /* kvmstub, qemu (NULL: not installed) */
    const char *image, *symbols, *out, *logs;
    int reps, attaches, starts;
    struct scenario_params params;
    unsigned rss_mib;
    const char *bzimage, *vmlinux, *initrd, *marker, *marker_note;
    int linux_timeout;
    unsigned only; /* GROUP_* bits to run */
};

/* Groups of measurements --only can select (for profiling one of them). */
enum group {
    GROUP_KVM = 1u << 0,
    GROUP_ATTACH = 1u << 1,
    GROUP_SCENARIOS = 1u << 2, /* the next SC_COUNT bits: one per scenario */
    GROUP_STARTUP = GROUP_SCENARIOS << SC_COUNT,
    GROUP_RSS = GROUP_STARTUP << 1,
    GROUP_LINUX = GROUP_RSS << 1,
    GROUP_ALL = (GROUP_LINUX << 1) - 1,
};

static const struct {
    const char *name;
    unsigned bits;
} group_names[] = {
    {"kvm", GROUP_KVM},
    {"attach", GROUP_ATTACH},
    {"step", GROUP_SCENARIOS << SC_STEP},
    {"vcont", GROUP_SCENARIOS << SC_STEP_VCONT},
    {"regs", GROUP_SCENARIOS << SC_REGS},
    {"hwbreak", GROUP_SCENARIOS << SC_HW_BREAK},
    {"swbreak", GROUP_SCENARIOS << SC_SW_BREAK},
    {"mem", GROUP_SCENARIOS << SC_MEM_HEX},
    {"xmem", GROUP_SCENARIOS << SC_MEM_BINARY},
    {"interrupt", GROUP_SCENARIOS << SC_INTERRUPT},
    {"startup", GROUP_STARTUP},
    {"rss", GROUP_RSS},
    {"linux", GROUP_LINUX},
};

/* One stub under test in the debugging scenarios. */
struct slot {
    struct stub_cmd cmd;
    struct stub_proc proc;
    struct dbg_session sess;
    bool running; /* the process */
    bool ready;   /* the session, stopped at the guest's ready point */
    int failed_starts;
    char start_err[BENCH_ERR_MAX];
    char log[BENCH_PATH_MAX];
};

static struct row rows[ROW_COUNT];

static void progress(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

static void rows_init(void)
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
        dbg_run_to(&s->sess, g->ready, READY_TIMEOUT_MS) < 0) {
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

/* The floor's replies are the size of kvmstub's `g` reply for a 32-bit guest. */
#define RTT_FLOOR_REPLY 624

static void measure_rtt_floor(const struct options *o)
{
    char err[BENCH_ERR_MAX];
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

static void measure_kvm_reference(const struct options *o)
{
    char err[BENCH_ERR_MAX];
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

static void measure_attach(const struct options *o, struct slot *slots)
{
    char err[BENCH_ERR_MAX];
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
    SC_REGS,       SC_STEP,     SC_STEP_VCONT, SC_MEM_HEX,
    SC_MEM_BINARY, SC_HW_BREAK, SC_INTERRUPT,  SC_SW_BREAK,
};

static void measure_scenarios(const struct options *o, struct slot *slots,
                              const struct guest_layout *g)
{
    char err[BENCH_ERR_MAX];
    for (size_t i = 0; i < sizeof(scenario_order) / sizeof(*scenario_order); i++) {
        enum scenario_id id = scenario_order[i];
        struct row *r = &rows[ROW_SCENARIO + id];
        if (!(o->only & (GROUP_SCENARIOS << id)))
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

static void measure_startup(const struct options *o, struct slot *slots)
{
    char err[BENCH_ERR_MAX];
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

static void measure_rss(const struct options *o, struct slot *slots, const struct guest_layout *g)
{
    char err[BENCH_ERR_MAX];
    progress("peak RSS with %u MiB of guest RAM", o->rss_mib);
    for (int k = 0; k < STUB_KINDS; k++) {
        struct stub_cmd cmd = slots[k].cmd;
        struct cell *c = &rows[ROW_RSS].cell[k];
        double mib;
        if (!o->binary[k])
            continue;
        cmd.memory_mib = o->rss_mib;
        if (rss_measure(&cmd, g->ready, READY_TIMEOUT_MS, &mib, err, sizeof(err)) < 0)
            cell_fail(c, CELL_FAILED, "%s", err);
        else
            cell_ok(c, mib);
    }
}

static void measure_linux(const struct options *o)
{
    char cmdline[LINUX_CMDLINE_BUF], why[BENCH_ERR_MAX], console[BENCH_PATH_MAX],
        log[BENCH_PATH_MAX];
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
                     o->linux_timeout);
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
                                         .timeout_s = o->linux_timeout,
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

/* ---- the report ---- */

static const struct target targets[] = {
    {"single-step `s` >= 10x QEMU", TARGET_SPEEDUP, ROW_SCENARIO + SC_STEP, 0, 10},
    {"single-step `s` within 4x of KVM's step exit", TARGET_ROW_RATIO, ROW_SCENARIO + SC_STEP,
     ROW_KVM_STEP, 4},
    {"register read `g` >= 3x QEMU", TARGET_SPEEDUP, ROW_SCENARIO + SC_REGS, 0, 3},
    {"hw breakpoint cycle >= 5x QEMU", TARGET_SPEEDUP, ROW_SCENARIO + SC_HW_BREAK, 0, 5},
    {"sw breakpoint cycle >= 5x QEMU", TARGET_SPEEDUP, ROW_SCENARIO + SC_SW_BREAK, 0, 5},
    {"memory read `m` >= 10x QEMU", TARGET_SPEEDUP, ROW_SCENARIO + SC_MEM_HEX, 0, 10},
    {"Ctrl-C latency no worse than QEMU", TARGET_SPEEDUP, ROW_SCENARIO + SC_INTERRUPT, 0, 1},
    {"start-up to listening < 5 ms", TARGET_AT_MOST, ROW_START_LISTEN, 0, 5},
    {"Linux bzImage boot to marker <= QEMU", TARGET_SPEEDUP, ROW_LINUX_BZIMAGE, 0, 1},
    {"  ... and to the FPU init line <= QEMU", TARGET_SPEEDUP, ROW_LINUX_BZIMAGE_MILESTONE, 0, 1},
    {"Linux PVH boot to marker <= QEMU", TARGET_SPEEDUP, ROW_LINUX_PVH, 0, 1},
    {"  ... and to the FPU init line <= QEMU", TARGET_SPEEDUP, ROW_LINUX_PVH_MILESTONE, 0, 1},
};

static void load_average(char *buf, size_t len)
{
    double l[3];
    if (getloadavg(l, 3) == 3)
        snprintf(buf, len, "%.2f %.2f %.2f", l[0], l[1], l[2]);
    else
        snprintf(buf, len, "?");
}

static void first_line_of(const char *cmd, char *buf, size_t len)
{
    FILE *p = popen(cmd, "r");
    snprintf(buf, len, "?");
    if (p && fgets(buf, (int)len, p))
        buf[strcspn(buf, "\n")] = '\0';
    if (p)
        pclose(p);
}

static void print_header(FILE *out, const struct options *o, const char *load_start,
                         const char *load_end)
{
    struct utsname u;
    char when[64], qemu[160] = "not installed", cmd[BENCH_PATH_MAX + 32];
    time_t now = time(NULL);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M %Z", localtime(&now));
    uname(&u);
    if (o->binary[STUB_QEMU]) {
        snprintf(cmd, sizeof(cmd), "%s --version", o->binary[STUB_QEMU]);
        first_line_of(cmd, qemu, sizeof(qemu));
    }
    fprintf(out, "kvmstub vs QEMU+KVM, %s\n", when);
    fprintf(out, "host: %s %s %s, %ld CPUs, KVM: %s\n", u.sysname, u.release, u.machine,
            sysconf(_SC_NPROCESSORS_ONLN),
            access(PVM_MODULE, F_OK) == 0 ? "PVM (guest kernel code is emulated)" : "hardware");
    fprintf(out, "QEMU: %s\n", qemu);
    fprintf(out, "load average (1/5/15 min): %s at the start, %s at the end\n", load_start,
            load_end);
    fprintf(out,
            "each cell: median [min-max] of %d repetitions; a repetition is %d steps, %d `g`, "
            "%d breakpoint cycles, 1 MiB read, %d interrupts, %d attaches; start-up: %d starts; "
            "RSS and Linux: 1 run\n\n",
            o->reps, o->params.steps, o->params.regs, o->params.breaks, o->params.interrupts,
            o->attaches, o->starts);
}

static void print_footer(FILE *out, const struct options *o)
{
    fprintf(out,
            "\nHow it was measured:\n"
            "  (ref.) rows involve no stub: the same client against a trivial forked server, "
            "and KVM_RUN\n"
            "  single-steps of a bare VM; they are the floors under kvmstub's numbers.\n"
            "  timed: only the round trips a debugger waits for (request sent -> reply or "
            "stop reply received);\n"
            "  every result is checked outside the timed part (pc after each step and hit, "
            "loop counter, every byte).\n"
            "  gdb handshake: connect, qSupported, QStartNoAckMode, target.xml (with "
            "includes), vCont?, `?`.\n"
            "  breakpoint cycle: gdb's continue from a breakpoint at the pc: remove, `s`, "
            "insert, `c` to the next hit.\n"
            "  memory: `m`/`x` of PacketSize/2 bytes each (gdb's size for `m`), hex decoded "
            "by the client inside the timing.\n"
            "  start-up, listening: kvmstub prints its 'waiting for gdb' line; QEMU accepts "
            "a TCP connection on its -gdb port.\n"
            "  Linux marker: '%s'%s;\n"
            "  FPU init line: the first '%s' line, which both VMMs reach.\n",
            o->marker, o->marker_note ? o->marker_note : "", LINUX_MILESTONE);
}

/* ---- the command line ---- */

static const char usage_text[] =
    "usage: kvmstub-bench --kvmstub PATH --image IMG --symbols NM_OUTPUT [options]\n"
    "  --qemu PATH             qemu-system-x86_64 to compare with (none: kvmstub only)\n"
    "  --out FILE              also write the report there\n"
    "  --logs DIR              stub logs and Linux consoles (default: .)\n"
    "  --reps N                repetitions per measurement (5)\n"
    "  --steps N  --regs N  --breaks N  --interrupts N  --attaches N   per repetition\n"
    "  --starts N              start-up runs per stub (20)\n"
    "  --rss-mib N             guest RAM for the peak-RSS run (256)\n"
    "  --bzimage F --vmlinux F --initrd F   Linux fixtures (none: no Linux rows)\n"
    "  --marker TEXT           console line that ends a Linux boot (KVMSTUB-INIT-OK)\n"
    "  --marker-note TEXT      said in the report next to the marker\n"
    "  --linux-timeout S       per Linux boot (240)\n"
    "  --only G,G...           run only these: kvm attach step vcont regs hwbreak swbreak\n"
    "                          mem xmem interrupt startup rss linux\n";

static int parse_count(const char *arg, const char *name)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (*end || v < 1 || v > 1000000) {
        fprintf(stderr, "kvmstub-bench: %s %s: expected a positive number\n", name, arg);
        exit(EXIT_BENCH_USAGE);
    }
    return (int)v;
}

static unsigned parse_groups(const char *arg)
{
    unsigned bits = 0;
    char *copy = strdup(arg), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        size_t i = 0;
        while (i < sizeof(group_names) / sizeof(*group_names) && strcmp(t, group_names[i].name))
            i++;
        if (i == sizeof(group_names) / sizeof(*group_names)) {
            fprintf(stderr, "kvmstub-bench: --only: unknown group '%s'\n", t);
            exit(EXIT_BENCH_USAGE);
        }
        bits |= group_names[i].bits;
    }
    free(copy);
    return bits;
}

static void parse_options(int argc, char **argv, struct options *o)
{
    enum {
        O_KVMSTUB = 256,
        O_QEMU,
        O_IMAGE,
        O_SYMBOLS,
        O_OUT,
        O_LOGS,
        O_REPS,
        O_STEPS,
        O_REGS,
        O_BREAKS,
        O_INTERRUPTS,
        O_ATTACHES,
        O_STARTS,
        O_RSS,
        O_BZIMAGE,
        O_VMLINUX,
        O_INITRD,
        O_MARKER,
        O_MARKER_NOTE,
        O_LINUX_TIMEOUT,
        O_ONLY
    };
    static const struct option opts[] = {
        {"kvmstub", required_argument, NULL, O_KVMSTUB},
        {"qemu", required_argument, NULL, O_QEMU},
        {"image", required_argument, NULL, O_IMAGE},
        {"symbols", required_argument, NULL, O_SYMBOLS},
        {"out", required_argument, NULL, O_OUT},
        {"logs", required_argument, NULL, O_LOGS},
        {"reps", required_argument, NULL, O_REPS},
        {"steps", required_argument, NULL, O_STEPS},
        {"regs", required_argument, NULL, O_REGS},
        {"breaks", required_argument, NULL, O_BREAKS},
        {"interrupts", required_argument, NULL, O_INTERRUPTS},
        {"attaches", required_argument, NULL, O_ATTACHES},
        {"starts", required_argument, NULL, O_STARTS},
        {"rss-mib", required_argument, NULL, O_RSS},
        {"bzimage", required_argument, NULL, O_BZIMAGE},
        {"vmlinux", required_argument, NULL, O_VMLINUX},
        {"initrd", required_argument, NULL, O_INITRD},
        {"marker", required_argument, NULL, O_MARKER},
        {"marker-note", required_argument, NULL, O_MARKER_NOTE},
        {"linux-timeout", required_argument, NULL, O_LINUX_TIMEOUT},
        {"only", required_argument, NULL, O_ONLY},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct options){.logs = ".",
                          .reps = 5,
                          .attaches = 20,
                          .starts = 20,
                          .params = {.steps = 1000, .regs = 2000, .breaks = 200, .interrupts = 20},
                          .rss_mib = 256,
                          .marker = "KVMSTUB-INIT-OK",
                          .linux_timeout = 240,
                          .only = GROUP_ALL};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_KVMSTUB: o->binary[STUB_KVMSTUB] = optarg; break;
        case O_QEMU: o->binary[STUB_QEMU] = optarg; break;
        case O_IMAGE: o->image = optarg; break;
        case O_SYMBOLS: o->symbols = optarg; break;
        case O_OUT: o->out = optarg; break;
        case O_LOGS: o->logs = optarg; break;
        case O_REPS: o->reps = parse_count(optarg, "--reps"); break;
        case O_STEPS: o->params.steps = parse_count(optarg, "--steps"); break;
        case O_REGS: o->params.regs = parse_count(optarg, "--regs"); break;
        case O_BREAKS: o->params.breaks = parse_count(optarg, "--breaks"); break;
        case O_INTERRUPTS: o->params.interrupts = parse_count(optarg, "--interrupts"); break;
        case O_ATTACHES: o->attaches = parse_count(optarg, "--attaches"); break;
        case O_STARTS: o->starts = parse_count(optarg, "--starts"); break;
        case O_RSS: o->rss_mib = (unsigned)parse_count(optarg, "--rss-mib"); break;
        case O_BZIMAGE: o->bzimage = optarg; break;
        case O_VMLINUX: o->vmlinux = optarg; break;
        case O_INITRD: o->initrd = optarg; break;
        case O_MARKER: o->marker = optarg; break;
        case O_MARKER_NOTE: o->marker_note = optarg; break;
        case O_LINUX_TIMEOUT: o->linux_timeout = parse_count(optarg, "--linux-timeout"); break;
        case O_ONLY: o->only = parse_groups(optarg); break;
        case 'h': fputs(usage_text, stdout); exit(0);
        default: fputs(usage_text, stderr); exit(EXIT_BENCH_USAGE);
        }
    }
    if (!o->binary[STUB_KVMSTUB] || !o->image || !o->symbols || optind != argc) {
        fputs(usage_text, stderr);
        exit(EXIT_BENCH_USAGE);
    }
    if (o->reps > STATS_MAX_SAMPLES || o->starts > STATS_MAX_SAMPLES) {
        fprintf(stderr, "kvmstub-bench: at most %d repetitions or starts\n", STATS_MAX_SAMPLES);
        exit(EXIT_BENCH_USAGE);
    }
}

int main(int argc, char **argv)
{
    struct options o;
    struct guest_layout g;
    char err[BENCH_ERR_MAX], load_start[64], load_end[64];
    struct slot slots[STUB_KINDS];
    parse_options(argc, argv, &o);
    if (guest_layout_load(o.symbols, &g, err, sizeof(err)) < 0) {
        fprintf(stderr, "kvmstub-bench: %s\n", err);
        return EXIT_BENCH_SETUP;
    }
    rows_init();
    load_average(load_start, sizeof(load_start));
    memset(slots, 0, sizeof(slots));
    for (int k = 0; k < STUB_KINDS; k++) {
        slots[k].cmd = (struct stub_cmd){.kind = (enum stub_kind)k,
                                         .binary = o.binary[k],
                                         .image = o.image,
                                         .log = slots[k].log};
        snprintf(slots[k].log, sizeof(slots[k].log), "%s/%s.log", o.logs,
                 stub_kind_name((enum stub_kind)k));
    }

    if (o.only & GROUP_KVM) {
        measure_rtt_floor(&o);
        measure_kvm_reference(&o);
    }
    if (o.only & GROUP_ATTACH)
        measure_attach(&o, slots);
    measure_scenarios(&o, slots, &g);
    for (int k = 0; k < STUB_KINDS; k++)
        slot_down(&slots[k]);
    if (o.only & GROUP_STARTUP)
        measure_startup(&o, slots);
    if (o.only & GROUP_RSS)
        measure_rss(&o, slots, &g);
    if (o.only & GROUP_LINUX)
        measure_linux(&o);

    load_average(load_end, sizeof(load_end));
    FILE *out = o.out ? fopen(o.out, "w") : NULL;
    if (o.out && !out)
        fprintf(stderr, "kvmstub-bench: %s: %s\n", o.out, strerror(errno));
    for (FILE *f = stdout; f; f = f == stdout ? out : NULL) {
        print_header(f, &o, load_start, load_end);
        report_print(f, rows, ROW_COUNT, targets, sizeof(targets) / sizeof(*targets));
        print_footer(f, &o);
    }
    if (out)
        fclose(out);
    return 0;
}
