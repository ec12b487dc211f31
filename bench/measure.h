/* bench/measure.h — every measurement of the benchmark, in its order, filling the table's rows:
 * the reference floors, attaching, the debugging scenarios (alternating between the stubs
 * repetition by repetition, so a change in the machine's load hits both alike), start-up, peak
 * RSS and the Linux boots. A measurement that fails on a stub is recorded with its reason and
 * that stub is restarted for the next one; nothing aborts the whole run. */
#ifndef KVMSTUB_BENCH_MEASURE_H
#define KVMSTUB_BENCH_MEASURE_H

#include "bench/guest_layout.h"
#include "bench/report.h"
#include "bench/scenarios.h"
#include "bench/stub_proc.h"

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

/* Groups of measurements that can be chosen (to profile one of them). */
enum measure_group {
    GROUP_REFERENCE = 1u << 0,
    GROUP_ATTACH = 1u << 1,
    GROUP_SCENARIOS = 1u << 2, /* the next SC_COUNT bits: one per scenario */
    GROUP_STARTUP = GROUP_SCENARIOS << SC_COUNT,
    GROUP_RSS = GROUP_STARTUP << 1,
    GROUP_LINUX = GROUP_RSS << 1,
    GROUP_ALL = (GROUP_LINUX << 1) - 1,
};

/* A console line early in a Linux boot that QEMU+KVM reaches on PVM hosts too (it dies right
 * after it), so the two VMMs' boot speed can be compared even where QEMU gets no further:
 * "x87 FPU will use FXSAVE" there, "XSAVE" on hosts that offer it. */
#define LINUX_MILESTONE  "x86/fpu: x87 FPU will use"
#define LINUX_MEMORY_MIB 256
#define PVM_MODULE       "/sys/module/kvm_pvm"

struct measure_config {
    const char *binary[STUB_KINDS]; /* kvmstub, qemu-system-x86_64 (NULL: not installed) */
    const char *image;              /* the bench guest */
    const char *logs;               /* directory for the stubs' logs and Linux consoles */
    int reps;                       /* repetitions of each measurement */
    int attaches, starts;           /* attaches per repetition, start-up runs */
    struct scenario_params params;
    unsigned rss_mib;
    const char *bzimage, *vmlinux, *initrd; /* any NULL: no Linux boots */
    const char *marker;
    int linux_timeout_s;
    unsigned groups; /* enum measure_group bits */
};

/* The rows' names, units and directions, all cells not run. */
void measure_rows_init(struct row rows[ROW_COUNT]);

/* Run the chosen groups; progress goes to stderr. */
void measure_all(const struct measure_config *cfg, const struct guest_layout *g,
                 struct row rows[ROW_COUNT]);

#endif
