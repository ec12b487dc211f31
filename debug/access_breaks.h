/* debug/access_breaks.h — port and MSR breakpoints (`monitor break io|msr`): the guest stops
 * after it accessed one of the ports or MSRs, in the direction asked for. Pure logic: the
 * table, its parsing and matching; debug/monitor_break.c drives it, debug/guest_debug.c
 * matches the accesses vm/ reports.
 *
 * Rule: the table is the debug state's (debug/guest_debug.h): changed by the controller only
 * while every vCPU is parked, read by the vCPU threads at their port and MSR exits.
 */
#ifndef KVMSTUB_DEBUG_ACCESS_BREAKS_H
#define KVMSTUB_DEBUG_ACCESS_BREAKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACCESS_BREAKS_MAX 32

enum access_space { ACCESS_IO, ACCESS_MSR };

enum { ACCESS_READ = 1, ACCESS_WRITE = 2 };

struct access_break {
    int num; /* as listed, from 1; never reused */
    enum access_space space;
    uint32_t lo, hi;   /* ports or MSR indexes, inclusive */
    unsigned accesses; /* ACCESS_READ | ACCESS_WRITE */
};

struct access_breaks {
    struct access_break items[ACCESS_BREAKS_MAX];
    size_t n;
    int last_num;
};

/* The access the guest stopped on (per vCPU; its driver writes it, the controller reads it
 * while the vCPU is stopped). */
struct access_hit {
    bool valid;
    int num; /* the breakpoint's */
    enum access_space space;
    uint32_t where; /* the port or the MSR */
    bool is_write;
    uint64_t value;
    unsigned size; /* bytes, for ports */
    uint64_t pc;   /* the accessing instruction's rip */
};

/* Parse "io PORT[-PORT] [r|w|rw]" or "msr MSR [r|w|rw]" (argv without the leading "break"):
 * numbers in C syntax, the direction rw when absent. Fills *b (num 0) or returns false with a
 * message in err. */
bool access_break_parse(int argc, char **argv, struct access_break *b, char *err, size_t errlen);
/* Add b (numbered here); returns its number, or -1 when the table is full. */
int access_breaks_add(struct access_breaks *t, const struct access_break *b);
/* Remove breakpoint num (all when num is 0); returns how many went. */
size_t access_breaks_delete(struct access_breaks *t, int num);
/* The first breakpoint that an access of this kind stops on, or NULL. */
const struct access_break *access_breaks_match(const struct access_breaks *t,
                                               enum access_space space, uint32_t where,
                                               bool is_write);
/* "io 0x510-0x512 rw", "msr 0x174 w" */
void access_break_format(const struct access_break *b, char *buf, size_t len);
/* What the guest did: "port 0x510 write 0x5a (1 byte)", "MSR 0x174 read 0x10" */
void access_hit_format(const struct access_hit *h, char *buf, size_t len);

#endif
