/* bench/stats.c — sample statistics. Implements stats.h. */
#include "bench/stats.h"

#include <stdlib.h>
#include <string.h>

void samples_add(struct samples *s, double value)
{
    if (s->n < STATS_MAX_SAMPLES)
        s->v[s->n++] = value;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double samples_median(const struct samples *s)
{
    double sorted[STATS_MAX_SAMPLES];
    memcpy(sorted, s->v, sizeof(double) * (size_t)s->n);
    qsort(sorted, (size_t)s->n, sizeof(double), cmp_double);
    return s->n % 2 ? sorted[s->n / 2] : (sorted[s->n / 2 - 1] + sorted[s->n / 2]) / 2;
}

double samples_min(const struct samples *s)
{
    double m = s->v[0];
    for (int i = 1; i < s->n; i++)
        if (s->v[i] < m)
            m = s->v[i];
    return m;
}

double samples_max(const struct samples *s)
{
    double m = s->v[0];
    for (int i = 1; i < s->n; i++)
        if (s->v[i] > m)
            m = s->v[i];
    return m;
}
