/* bench/report.c — the results table. Implements report.h. */
#include "bench/report.h"

#include <stdarg.h>
#include <string.h>

#define REPORT_NAME_W  38
#define REPORT_UNIT_W  9
#define REPORT_CELL_W  24
#define REPORT_RATIO_W 13
#define REPORT_TEXT    128
#define REPORT_NUM     24 /* one formatted number */
#define REPORT_NOTES   64
#define REPORT_NOTE_W  (REPORT_WHY_MAX + 96)

void cell_ok(struct cell *c, double value)
{
    c->state = CELL_OK;
    samples_add(&c->samples, value);
}

void cell_fail(struct cell *c, enum cell_state state, const char *fmt, ...)
{
    va_list ap;
    c->state = state;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof(c->why), fmt, ap);
    va_end(ap);
}

/* Three significant digits or so, never scientific notation. */
static void fmt_value(char *buf, size_t len, double v)
{
    double a = v < 0 ? -v : v;
    snprintf(buf, len, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
}

struct notes {
    char text[REPORT_NOTES][REPORT_NOTE_W];
    int n;
};

static int note_add(struct notes *ns, const char *row, enum stub_kind kind, const char *why)
{
    if (ns->n == REPORT_NOTES)
        return REPORT_NOTES;
    snprintf(ns->text[ns->n], REPORT_NOTE_W, "%s, %s: %s", stub_kind_name(kind), row, why);
    return ++ns->n;
}

static void fmt_cell(char *buf, size_t len, const struct row *r, enum stub_kind kind,
                     struct notes *ns)
{
    const struct cell *c = &r->cell[kind];
    char med[REPORT_NUM], lo[REPORT_NUM], hi[REPORT_NUM];
    switch (c->state) {
    case CELL_NOT_RUN: snprintf(buf, len, "-"); break;
    case CELL_FAILED:
        snprintf(buf, len, "FAILS (note %d)", note_add(ns, r->name, kind, c->why));
        break;
    case CELL_NA: snprintf(buf, len, "n/a (note %d)", note_add(ns, r->name, kind, c->why)); break;
    case CELL_OK:
        fmt_value(med, sizeof(med), samples_median(&c->samples));
        if (c->samples.n == 1) {
            snprintf(buf, len, "%s (1 run)", med);
            break;
        }
        fmt_value(lo, sizeof(lo), samples_min(&c->samples));
        fmt_value(hi, sizeof(hi), samples_max(&c->samples));
        snprintf(buf, len, "%s [%s-%s]", med, lo, hi);
        break;
    }
}

static bool both_ok(const struct row *r)
{
    return r->cell[STUB_KVMSTUB].state == CELL_OK && r->cell[STUB_QEMU].state == CELL_OK;
}

static double median_of(const struct row *r, enum stub_kind kind)
{
    return samples_median(&r->cell[kind].samples);
}

/* How many times better kvmstub is than QEMU on this row. */
static double speedup(const struct row *r)
{
    double k = median_of(r, STUB_KVMSTUB), q = median_of(r, STUB_QEMU);
    return r->higher_better ? k / q : q / k;
}

static void print_rows(FILE *out, const struct row *rows, int nrows, struct notes *ns)
{
    char k[REPORT_TEXT], q[REPORT_TEXT], ratio[REPORT_NUM], up[REPORT_NUM];
    fprintf(out, "%-*s %-*s %-*s %-*s %*s %*s\n", REPORT_NAME_W, "measurement", REPORT_UNIT_W,
            "unit", REPORT_CELL_W, "kvmstub med [min-max]", REPORT_CELL_W, "QEMU med [min-max]",
            REPORT_RATIO_W, "kvmstub/QEMU", REPORT_UNIT_W, "speed-up");
    for (int i = 0; i < nrows; i++) {
        const struct row *r = &rows[i];
        fmt_cell(k, sizeof(k), r, STUB_KVMSTUB, ns);
        fmt_cell(q, sizeof(q), r, STUB_QEMU, ns);
        snprintf(ratio, sizeof(ratio), "-");
        snprintf(up, sizeof(up), "-");
        if (both_ok(r)) {
            fmt_value(ratio, sizeof(ratio), median_of(r, STUB_KVMSTUB) / median_of(r, STUB_QEMU));
            fmt_value(up, sizeof(up), speedup(r));
            strncat(up, "x", sizeof(up) - strlen(up) - 1);
        }
        fprintf(out, "%-*s %-*s %-*s %-*s %*s %*s\n", REPORT_NAME_W, r->name, REPORT_UNIT_W,
                r->unit, REPORT_CELL_W, k, REPORT_CELL_W, q, REPORT_RATIO_W, ratio, REPORT_UNIT_W,
                up);
    }
}

/* The verdict on one target: "met", "MISSED" or "n/a", and what was measured. */
static const char *judge(const struct target *t, const struct row *rows, char *what, size_t len)
{
    const struct row *r = &rows[t->row];
    const struct cell *k = &r->cell[STUB_KVMSTUB], *q = &r->cell[STUB_QEMU];
    char v[REPORT_NUM];
    if (k->state != CELL_OK) {
        snprintf(what, len, "kvmstub %s", k->state == CELL_FAILED ? "failed" : "not measured");
        return k->state == CELL_FAILED ? "MISSED" : "n/a";
    }
    double m = median_of(r, STUB_KVMSTUB);
    switch (t->kind) {
    case TARGET_SPEEDUP:
        if (q->state == CELL_FAILED) {
            snprintf(what, len, "QEMU fails on this host, kvmstub works");
            return "met";
        }
        if (q->state != CELL_OK) {
            snprintf(what, len, "QEMU not measured");
            return "n/a";
        }
        fmt_value(v, sizeof(v), speedup(r));
        snprintf(what, len, "%sx", v);
        return speedup(r) >= t->value ? "met" : "MISSED";
    case TARGET_AT_MOST:
        fmt_value(v, sizeof(v), m);
        snprintf(what, len, "%s %s", v, r->unit);
        return m <= t->value ? "met" : "MISSED";
    case TARGET_AT_LEAST:
        fmt_value(v, sizeof(v), m);
        snprintf(what, len, "%s %s", v, r->unit);
        return m >= t->value ? "met" : "MISSED";
    case TARGET_ROW_RATIO: {
        const struct row *o = &rows[t->other];
        if (o->cell[STUB_KVMSTUB].state != CELL_OK) {
            snprintf(what, len, "%s not measured", o->name);
            return "n/a";
        }
        double ratio = m / median_of(o, STUB_KVMSTUB);
        fmt_value(v, sizeof(v), ratio);
        snprintf(what, len, "%sx", v);
        return ratio <= t->value ? "met" : "MISSED";
    }
    }
    return "n/a";
}

void report_print(FILE *out, const struct row *rows, int nrows, const struct target *targets,
                  int ntargets)
{
    static struct notes ns;
    ns.n = 0;
    print_rows(out, rows, nrows, &ns);
    if (ns.n)
        fprintf(out, "\nNotes:\n");
    for (int i = 0; i < ns.n; i++)
        fprintf(out, "  %d. %s\n", i + 1, ns.text[i]);
    fprintf(out, "\nTargets:\n");
    for (int i = 0; i < ntargets; i++) {
        char what[REPORT_WHY_MAX];
        const char *verdict = judge(&targets[i], rows, what, sizeof(what));
        fprintf(out, "  %-7s %-52s %s\n", verdict, targets[i].text, what);
    }
}
