/* bench/machine_load.c — the rest of the machine's load. Implements machine_load.h. */
#include "bench/machine_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#define PROC_STAT "/proc/stat"
#define PERCENT   100.0

static double timeval_s(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static double rusage_s(int who)
{
    struct rusage ru;
    return getrusage(who, &ru) == 0 ? timeval_s(ru.ru_utime) + timeval_s(ru.ru_stime) : 0;
}

void machine_sample_take(struct machine_sample *m)
{
    unsigned long long user, nice, sys, idle, iowait, irq, softirq, steal;
    double tick = (double)sysconf(_SC_CLK_TCK);
    FILE *f = fopen(PROC_STAT, "r");
    *m = (struct machine_sample){0};
    if (f &&
        fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle, &iowait,
               &irq, &softirq, &steal) == 8 &&
        tick > 0) {
        m->busy_s = (double)(user + nice + sys + irq + softirq) / tick;
        m->steal_s = (double)steal / tick;
        m->total_s = (double)(user + nice + sys + idle + iowait + irq + softirq + steal) / tick;
        m->ok = true;
    }
    if (f)
        fclose(f);
    m->ours_s = rusage_s(RUSAGE_SELF) + rusage_s(RUSAGE_CHILDREN);
    if (getloadavg(m->load, 3) != 3)
        m->load[0] = m->load[1] = m->load[2] = -1;
}

void machine_describe(const struct machine_sample *a, const struct machine_sample *b, char *buf,
                      size_t len)
{
    double total = b->total_s - a->total_s;
    if (!a->ok || !b->ok || total <= 0) {
        snprintf(buf, len, "load average %.2f at the start, %.2f at the end", a->load[0],
                 b->load[0]);
        return;
    }
    double others = (b->busy_s - a->busy_s) - (b->ours_s - a->ours_s);
    snprintf(buf, len,
             "other processes used %.0f%% of the CPUs, the hypervisor stole %.1f%%; load average "
             "%.2f at the start, %.2f at the end",
             others > 0 ? PERCENT * others / total : 0, PERCENT * (b->steal_s - a->steal_s) / total,
             a->load[0], b->load[0]);
}
