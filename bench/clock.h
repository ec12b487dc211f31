/* bench/clock.h — the one clock every measurement uses (CLOCK_MONOTONIC). */
#ifndef KVMSTUB_BENCH_CLOCK_H
#define KVMSTUB_BENCH_CLOCK_H

#include <errno.h>
#include <time.h>

/* Microseconds on the monotonic clock. */
static inline double clock_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static inline void clock_sleep_us(double us)
{
    struct timespec ts = {.tv_sec = (time_t)(us / 1e6),
                          .tv_nsec = (long)((us - (double)(time_t)(us / 1e6) * 1e6) * 1e3)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

#endif
