/* bench/report.h — the results table: one row per measurement with kvmstub's and QEMU's
 * median [min-max], their ratio, the speed-up, numbered notes for what failed or could not
 * run, and the targets with a verdict each. */
#ifndef KVMSTUB_BENCH_REPORT_H
#define KVMSTUB_BENCH_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "bench/stats.h"
#include "bench/stub_proc.h"

#define REPORT_WHY_MAX 320

enum cell_state {
    CELL_NOT_RUN, /* skipped (QEMU not installed, BENCH_LINUX=0, ...) */
    CELL_OK,
    CELL_FAILED, /* it ran and did not work: the reason is a note */
    CELL_NA,     /* this stub has no such thing: the reason is a note */
};

struct cell {
    enum cell_state state;
    struct samples samples;
    char why[REPORT_WHY_MAX];
};

struct row {
    const char *name;
    const char *unit;
    bool higher_better;
    struct cell cell[STUB_KINDS];
};

enum target_kind {
    TARGET_SPEEDUP,  /* kvmstub better than QEMU by at least `value` times */
    TARGET_AT_MOST,  /* kvmstub's median at most `value`, in the row's unit */
    TARGET_AT_LEAST, /* kvmstub's median at least `value`, in the row's unit */
    TARGET_ROW_RATIO /* kvmstub's median at most `value` times kvmstub's of row `other` */
};

struct target {
    const char *text;
    enum target_kind kind;
    int row, other;
    double value;
};

void cell_ok(struct cell *c, double value);
void cell_fail(struct cell *c, enum cell_state state, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The table, its notes and the targets. */
void report_print(FILE *out, const struct row *rows, int nrows, const struct target *targets,
                  int ntargets);

#endif
