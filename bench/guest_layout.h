/* bench/guest_layout.h — where the benchmark guest (guest/bench.asm) keeps what the scenarios
 * use, read from `nm build/guest/bench.img`: code addresses, the counter, the pattern region
 * and the constants that describe them. */
#ifndef KVMSTUB_BENCH_GUEST_LAYOUT_H
#define KVMSTUB_BENCH_GUEST_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

struct guest_layout {
    uint64_t ready;          /* the pattern is complete once the guest gets here */
    uint64_t spin, spin_end; /* an endless loop */
    uint64_t step, step_end; /* step_len-byte instructions from step to step_end, then a jump */
    unsigned step_len;
    uint64_t bp, bp_next; /* bp: `inc dword [counter]`; bp_next: the jump back to bp */
    uint64_t counter;
    uint64_t pattern; /* pattern_size bytes: byte i = (i * pattern_mul + pattern_add) & 255 */
    size_t pattern_size;
    unsigned pattern_mul, pattern_add;
};

/* Read the nm output at path; 0, or -1 with the missing symbol or the error in err. */
int guest_layout_load(const char *path, struct guest_layout *g, char *err, size_t errlen);

/* The byte the guest put at offset i of its pattern. */
static inline uint8_t guest_pattern_byte(const struct guest_layout *g, size_t i)
{
    return (uint8_t)(i * g->pattern_mul + g->pattern_add);
}

#endif
