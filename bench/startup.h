/* bench/startup.h — what a stub costs as a process: the time from exec until it listens and
 * until it answers a debugger's first `?`, and its peak RSS with a guest run to a point. */
#ifndef KVMSTUB_BENCH_STARTUP_H
#define KVMSTUB_BENCH_STARTUP_H

#include <stddef.h>
#include <stdint.h>

#include "bench/stub_proc.h"

struct startup_times {
    double listen_ms;     /* exec → listening (stub_start's notion) */
    double first_stop_ms; /* exec → connect → `?` → stop reply */
};

/* One start of the stub; 0, or -1 with a reason in err. */
int startup_measure(const struct stub_cmd *cmd, struct startup_times *t, char *err, size_t errlen);

/* Start the stub (cmd->memory_mib sets the guest RAM), attach, run the guest to run_to (where it
 * spins up to spin_end: dbg_run_to), end the stub: its peak RSS in MiB. */
int rss_measure(const struct stub_cmd *cmd, uint64_t run_to, uint64_t spin_end, int timeout_ms,
                double *mib, char *err, size_t errlen);

#endif
