/* bench/stats.h — the samples of one measurement and their median, minimum and maximum. */
#ifndef KVMSTUB_BENCH_STATS_H
#define KVMSTUB_BENCH_STATS_H

#define STATS_MAX_SAMPLES 64

struct samples {
    double v[STATS_MAX_SAMPLES];
    int n;
};

/* Samples beyond STATS_MAX_SAMPLES are dropped. */
void samples_add(struct samples *s, double value);
/* Of at least one sample. */
double samples_median(const struct samples *s);
double samples_min(const struct samples *s);
double samples_max(const struct samples *s);

#endif
