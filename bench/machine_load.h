/* bench/machine_load.h — how busy the rest of the machine was during the run: the CPU time
 * that processes other than the benchmark and its stubs used, the time the hypervisor stole
 * from this VM, and the load average; latencies are only comparable on a quiet machine. */
#ifndef KVMSTUB_BENCH_MACHINE_LOAD_H
#define KVMSTUB_BENCH_MACHINE_LOAD_H

#include <stdbool.h>
#include <stddef.h>

struct machine_sample {
    bool ok;
    double busy_s, steal_s, total_s; /* all CPUs, from /proc/stat */
    double ours_s;                   /* this process and its reaped children */
    double load[3];
};

void machine_sample_take(struct machine_sample *m);

/* "others used N% of the CPUs, steal M%, load average ..." for the time from a to b. */
void machine_describe(const struct machine_sample *a, const struct machine_sample *b, char *buf,
                      size_t len);

#endif
