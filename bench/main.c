/* bench/main.c — kvmstub-bench: the command line, and the report of what bench/measure.c
 * measured: header, table, targets, how it was measured. `make bench` runs it through
 * bench/run.sh.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench/guest_layout.h"
#include "bench/machine_load.h"
#include "bench/measure.h"
#include "bench/report.h"

#define BENCH_ERR_MAX    REPORT_WHY_MAX
#define BENCH_PATH_MAX   4096
#define EXIT_BENCH_USAGE 2
#define EXIT_BENCH_SETUP 4

struct options {
    struct measure_config m;
    const char *symbols, *out;
    const char *marker_note;
};

/* What --only can choose. */
static const struct {
    const char *name;
    unsigned bits;
} group_names[] = {
    {"ref", GROUP_REFERENCE},
    {"attach", GROUP_ATTACH},
    {"step", GROUP_SCENARIOS << SC_STEP},
    {"vcont", GROUP_SCENARIOS << SC_STEP_VCONT},
    {"regs", GROUP_SCENARIOS << SC_REGS},
    {"hwbreak", GROUP_SCENARIOS << SC_HW_BREAK},
    {"swbreak", GROUP_SCENARIOS << SC_SW_BREAK},
    {"mem", GROUP_SCENARIOS << SC_MEM_HEX},
    {"xmem", GROUP_SCENARIOS << SC_MEM_BINARY},
    {"interrupt", GROUP_SCENARIOS << SC_INTERRUPT},
    {"record", GROUP_SCENARIOS << SC_RECORD},
    {"reverse", (GROUP_SCENARIOS << SC_RSTEP_10K) | (GROUP_SCENARIOS << SC_RSTEP_1M) |
                    (GROUP_SCENARIOS << SC_RCONT_1M)},
    {"startup", GROUP_STARTUP},
    {"rss", GROUP_RSS},
    {"linux", GROUP_LINUX},
};

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
    {"recording >= 100k instructions/s", TARGET_AT_LEAST, ROW_SCENARIO + SC_RECORD, 0, 100},
    {"reverse-stepi after 1M < 10 ms", TARGET_AT_MOST, ROW_SCENARIO + SC_RSTEP_1M, 0, 10},
    {"start-up to listening < 5 ms", TARGET_AT_MOST, ROW_START_LISTEN, 0, 5},
    {"Linux bzImage boot to marker <= QEMU", TARGET_SPEEDUP, ROW_LINUX_BZIMAGE, 0, 1},
    {"  ... and to the FPU init line <= QEMU", TARGET_SPEEDUP, ROW_LINUX_BZIMAGE_MILESTONE, 0, 1},
    {"Linux PVH boot to marker <= QEMU", TARGET_SPEEDUP, ROW_LINUX_PVH, 0, 1},
    {"  ... and to the FPU init line <= QEMU", TARGET_SPEEDUP, ROW_LINUX_PVH_MILESTONE, 0, 1},
};

static void first_line_of(const char *cmd, char *buf, size_t len)
{
    FILE *p = popen(cmd, "r");
    snprintf(buf, len, "?");
    if (p && fgets(buf, (int)len, p))
        buf[strcspn(buf, "\n")] = '\0';
    if (p)
        pclose(p);
}

/* "0" or "0-1" or "0,2": the CPUs this process (and so every stub) may run on. */
static void affinity_text(char *buf, size_t len)
{
    cpu_set_t set;
    size_t used = 0;
    buf[0] = '\0';
    if (sched_getaffinity(0, sizeof(set), &set) < 0) {
        snprintf(buf, len, "?");
        return;
    }
    for (int cpu = 0; cpu < CPU_SETSIZE && used + 8 < len; cpu++)
        if (CPU_ISSET(cpu, &set))
            used += (size_t)snprintf(buf + used, len - used, "%s%d", used ? "," : "", cpu);
}

static void print_header(FILE *out, const struct options *o, const char *load)
{
    char cpus[64];
    affinity_text(cpus, sizeof(cpus));
    struct utsname u;
    char when[64], qemu[160] = "not compared (none given)", cmd[BENCH_PATH_MAX + 32];
    time_t now = time(NULL);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M %Z", localtime(&now));
    uname(&u);
    if (o->m.binary[STUB_QEMU]) {
        snprintf(cmd, sizeof(cmd), "%s --version", o->m.binary[STUB_QEMU]);
        first_line_of(cmd, qemu, sizeof(qemu));
    }
    fprintf(out, "kvmstub vs QEMU+KVM, %s\n", when);
    fprintf(out, "host: %s %s %s, %ld CPUs (the benchmark and the stubs ran on: %s), KVM: %s\n",
            u.sysname, u.release, u.machine, sysconf(_SC_NPROCESSORS_ONLN), cpus,
            access(PVM_MODULE, F_OK) == 0 ? "PVM (guest kernel code is emulated)" : "hardware");
    fprintf(out, "QEMU: %s\n", qemu);
    fprintf(out, "during the run: %s\n", load);
    fprintf(out,
            "each cell: median [min-max] of %d repetitions; a repetition is %d steps, %d `g`, "
            "%d breakpoint cycles, 1 MiB read, %d interrupts, %d attaches; start-up: %d starts; "
            "RSS and Linux: 1 run\n\n",
            o->m.reps, o->m.params.steps, o->m.params.regs, o->m.params.breaks,
            o->m.params.interrupts, o->m.attaches, o->m.starts);
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
            "  checked outside the timed part: each stop's pc where the stop reply carries it, "
            "else the pc at the\n"
            "  end of the repetition; the guest's loop counter after breakpoint cycles; every "
            "byte read.\n"
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
            o->m.marker, o->marker_note ? o->marker_note : "", LINUX_MILESTONE);
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
    "  --only G,G...           run only these: ref attach step vcont regs hwbreak swbreak\n"
    "                          mem xmem interrupt record reverse startup rss linux\n";

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
    *o = (struct options){
        .m = {.logs = ".",
              .reps = 5,
              .attaches = 20,
              .starts = 20,
              .params = {.steps = 1000,
                         .regs = 2000,
                         .breaks = 200,
                         .interrupts = 20,
                         .reverse_steps = 20},
              .rss_mib = 256,
              .marker = "KVMSTUB-INIT-OK",
              .linux_timeout_s = 240,
              .groups = GROUP_ALL},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_KVMSTUB: o->m.binary[STUB_KVMSTUB] = optarg; break;
        case O_QEMU: o->m.binary[STUB_QEMU] = optarg; break;
        case O_IMAGE: o->m.image = optarg; break;
        case O_SYMBOLS: o->symbols = optarg; break;
        case O_OUT: o->out = optarg; break;
        case O_LOGS: o->m.logs = optarg; break;
        case O_REPS: o->m.reps = parse_count(optarg, "--reps"); break;
        case O_STEPS: o->m.params.steps = parse_count(optarg, "--steps"); break;
        case O_REGS: o->m.params.regs = parse_count(optarg, "--regs"); break;
        case O_BREAKS: o->m.params.breaks = parse_count(optarg, "--breaks"); break;
        case O_INTERRUPTS: o->m.params.interrupts = parse_count(optarg, "--interrupts"); break;
        case O_ATTACHES: o->m.attaches = parse_count(optarg, "--attaches"); break;
        case O_STARTS: o->m.starts = parse_count(optarg, "--starts"); break;
        case O_RSS: o->m.rss_mib = (unsigned)parse_count(optarg, "--rss-mib"); break;
        case O_BZIMAGE: o->m.bzimage = optarg; break;
        case O_VMLINUX: o->m.vmlinux = optarg; break;
        case O_INITRD: o->m.initrd = optarg; break;
        case O_MARKER: o->m.marker = optarg; break;
        case O_MARKER_NOTE: o->marker_note = optarg; break;
        case O_LINUX_TIMEOUT: o->m.linux_timeout_s = parse_count(optarg, "--linux-timeout"); break;
        case O_ONLY: o->m.groups = parse_groups(optarg); break;
        case 'h': fputs(usage_text, stdout); exit(0);
        default: fputs(usage_text, stderr); exit(EXIT_BENCH_USAGE);
        }
    }
    if (!o->m.binary[STUB_KVMSTUB] || !o->m.image || !o->symbols || optind != argc) {
        fputs(usage_text, stderr);
        exit(EXIT_BENCH_USAGE);
    }
    if (o->m.reps > STATS_MAX_SAMPLES || o->m.starts > STATS_MAX_SAMPLES) {
        fprintf(stderr, "kvmstub-bench: at most %d repetitions or starts\n", STATS_MAX_SAMPLES);
        exit(EXIT_BENCH_USAGE);
    }
}

int main(int argc, char **argv)
{
    struct options o;
    struct guest_layout g;
    static struct row rows[ROW_COUNT];
    char err[BENCH_ERR_MAX], load[BENCH_ERR_MAX];
    struct machine_sample before, after;
    parse_options(argc, argv, &o);
    if (guest_layout_load(o.symbols, &g, err, sizeof(err)) < 0) {
        fprintf(stderr, "kvmstub-bench: %s\n", err);
        return EXIT_BENCH_SETUP;
    }
    measure_rows_init(rows);
    machine_sample_take(&before);
    measure_all(&o.m, &g, rows);
    machine_sample_take(&after);
    machine_describe(&before, &after, load, sizeof(load));

    FILE *files[] = {stdout, o.out ? fopen(o.out, "w") : NULL};
    if (o.out && !files[1])
        fprintf(stderr, "kvmstub-bench: %s: %s\n", o.out, strerror(errno));
    for (size_t i = 0; i < sizeof(files) / sizeof(*files) && files[i]; i++) {
        print_header(files[i], &o, load);
        report_print(files[i], rows, ROW_COUNT, targets, sizeof(targets) / sizeof(*targets));
        print_footer(files[i], &o);
    }
    if (files[1])
        fclose(files[1]);
    return 0;
}
