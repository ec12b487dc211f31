/* debug/access_breaks.c — the table of port and MSR breakpoints. */
#include "debug/access_breaks.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_u32(const char *s, uint32_t *v)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (*end || errno || x > UINT32_MAX)
        return false;
    *v = (uint32_t)x;
    return true;
}

static bool parse_accesses(const char *s, unsigned *accesses)
{
    if (strcmp(s, "r") == 0)
        *accesses = ACCESS_READ;
    else if (strcmp(s, "w") == 0)
        *accesses = ACCESS_WRITE;
    else if (strcmp(s, "rw") == 0 || strcmp(s, "wr") == 0)
        *accesses = ACCESS_READ | ACCESS_WRITE;
    else
        return false;
    return true;
}

bool access_break_parse(int argc, char **argv, struct access_break *b, char *err, size_t errlen)
{
    memset(b, 0, sizeof(*b));
    if (argc < 2 || argc > 3) {
        snprintf(err, errlen, "usage: monitor break io PORT[-PORT] [r|w|rw] | msr MSR [r|w|rw]");
        return false;
    }
    if (strcmp(argv[0], "io") == 0)
        b->space = ACCESS_IO;
    else if (strcmp(argv[0], "msr") == 0)
        b->space = ACCESS_MSR;
    else {
        snprintf(err, errlen, "'%s': neither io nor msr", argv[0]);
        return false;
    }
    char spec[64];
    snprintf(spec, sizeof(spec), "%s", argv[1]);
    char *dash = b->space == ACCESS_IO ? strchr(spec, '-') : NULL;
    if (dash)
        *dash = 0;
    if (!parse_u32(spec, &b->lo) || (dash && !parse_u32(dash + 1, &b->hi))) {
        snprintf(err, errlen, "'%s' is not a %s", argv[1],
                 b->space == ACCESS_IO ? "port or a range of ports (0x60, 0x3f8-0x3ff)"
                                       : "MSR number (0x174)");
        return false;
    }
    if (!dash)
        b->hi = b->lo;
    if (b->space == ACCESS_IO && (b->hi > 0xFFFF || b->lo > b->hi)) {
        snprintf(err, errlen, "'%s': ports are 0..0xffff, the first not above the last", argv[1]);
        return false;
    }
    b->accesses = ACCESS_READ | ACCESS_WRITE;
    if (argc == 3 && !parse_accesses(argv[2], &b->accesses)) {
        snprintf(err, errlen, "'%s': the accesses are r, w or rw", argv[2]);
        return false;
    }
    return true;
}

int access_breaks_add(struct access_breaks *t, const struct access_break *b)
{
    if (t->n == ACCESS_BREAKS_MAX)
        return -1;
    struct access_break *n = &t->items[t->n++];
    *n = *b;
    n->num = ++t->last_num;
    return n->num;
}

size_t access_breaks_delete(struct access_breaks *t, int num)
{
    size_t kept = 0, before = t->n;
    for (size_t i = 0; i < t->n; i++)
        if (num != 0 && t->items[i].num != num)
            t->items[kept++] = t->items[i];
    t->n = kept;
    return before - kept;
}

const struct access_break *access_breaks_match(const struct access_breaks *t,
                                               enum access_space space, uint32_t where,
                                               bool is_write)
{
    unsigned access = is_write ? ACCESS_WRITE : ACCESS_READ;
    for (size_t i = 0; i < t->n; i++) {
        const struct access_break *b = &t->items[i];
        if (b->space == space && where >= b->lo && where <= b->hi && (b->accesses & access))
            return b;
    }
    return NULL;
}

static const char *accesses_name(unsigned a)
{
    return a == ACCESS_READ ? "r" : a == ACCESS_WRITE ? "w" : "rw";
}

void access_break_format(const struct access_break *b, char *buf, size_t len)
{
    const char *space = b->space == ACCESS_IO ? "io" : "msr";
    if (b->lo == b->hi)
        snprintf(buf, len, "%s 0x%" PRIx32 " %s", space, b->lo, accesses_name(b->accesses));
    else
        snprintf(buf, len, "%s 0x%" PRIx32 "-0x%" PRIx32 " %s", space, b->lo, b->hi,
                 accesses_name(b->accesses));
}

void access_hit_format(const struct access_hit *h, char *buf, size_t len)
{
    const char *dir = h->is_write ? "write" : "read";
    if (h->space == ACCESS_IO)
        snprintf(buf, len, "port 0x%" PRIx32 " %s 0x%" PRIx64 " (%u byte%s)", h->where, dir,
                 h->value, h->size, h->size == 1 ? "" : "s");
    else
        snprintf(buf, len, "MSR 0x%" PRIx32 " %s 0x%" PRIx64, h->where, dir, h->value);
}
