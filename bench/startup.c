/* bench/startup.c — start-up time and peak RSS. Implements startup.h. */
#include "bench/startup.h"

#include <stdio.h>

#include "bench/attach.h"
#include "bench/clock.h"
#include "bench/debug_session.h"

#define KIB_PER_MIB 1024.0

int startup_measure(const struct stub_cmd *cmd, struct startup_times *t, char *err, size_t errlen)
{
    struct stub_proc p;
    if (stub_start(cmd, &p, err, errlen) < 0)
        return -1;
    int rc = attach_first_stop(STUB_HOST, p.port, err, errlen);
    double now = clock_now_us();
    stub_stop(&p);
    t->listen_ms = (p.listen_us - p.exec_us) / 1000;
    t->first_stop_ms = (now - p.exec_us) / 1000;
    return rc;
}

int rss_measure(const struct stub_cmd *cmd, uint64_t run_to, uint64_t spin_end, int timeout_ms,
                double *mib, char *err, size_t errlen)
{
    struct stub_proc p;
    struct dbg_session s;
    if (stub_start(cmd, &p, err, errlen) < 0)
        return -1;
    int rc = dbg_open(&s, STUB_HOST, p.port);
    if (rc == 0)
        rc = dbg_run_to(&s, run_to, spin_end, timeout_ms);
    if (rc < 0)
        snprintf(err, errlen, "%s", s.err);
    dbg_close(&s);
    stub_stop(&p);
    if (rc == 0)
        *mib = (double)p.usage.ru_maxrss / KIB_PER_MIB;
    return rc;
}
