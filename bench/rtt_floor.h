/* bench/rtt_floor.h — the floor under every request and reply: the benchmark's own client
 * talking to a trivial server (a forked process with a stub's poll/recv/send loop that answers
 * every packet with a fixed reply the size of a `g` reply). What a stub adds is above it. */
#ifndef KVMSTUB_BENCH_RTT_FLOOR_H
#define KVMSTUB_BENCH_RTT_FLOOR_H

#include <stddef.h>

/* count round trips with replies of reply_len payload bytes; 0 with *us the mean, or -1 with a
 * reason in err. */
int rtt_floor_measure(int count, size_t reply_len, double *us, char *err, size_t errlen);

#endif
