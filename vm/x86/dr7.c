/* vm/x86/dr7.c — DR7 fields and aligned splitting of watched ranges. */
#include "vm/x86/dr7.h"

#define DR7_G(n)         (2ULL << (2 * (n)))
#define DR7_L(n)         (1ULL << (2 * (n)))
#define DR7_RW_SHIFT(n)  (16 + 4 * (n))
#define DR7_LEN_SHIFT(n) (18 + 4 * (n))

int dr7_len_bits(unsigned len)
{
    switch (len) {
    case 1: return 0;
    case 2: return 1;
    case 8: return 2;
    case 4: return 3;
    default: return -1;
    }
}

uint64_t dr7_clear(uint64_t dr7, int slot)
{
    dr7 &= ~(DR7_G(slot) | DR7_L(slot));
    dr7 &= ~(0xFULL << DR7_RW_SHIFT(slot));
    return dr7;
}

uint64_t dr7_set(uint64_t dr7, int slot, enum dr_rw rw, unsigned len)
{
    dr7 = dr7_clear(dr7, slot);
    int len_bits = rw == DR_RW_EXEC ? 0 : dr7_len_bits(len);
    if (len_bits < 0)
        len_bits = 0;
    return dr7 | DR7_BASE | DR7_G(slot) | ((uint64_t)rw << DR7_RW_SHIFT(slot)) |
           ((uint64_t)len_bits << DR7_LEN_SHIFT(slot));
}

bool dr7_enabled(uint64_t dr7, int slot)
{
    return dr7 & (DR7_G(slot) | DR7_L(slot));
}

enum dr_rw dr7_rw(uint64_t dr7, int slot)
{
    return (enum dr_rw)((dr7 >> DR7_RW_SHIFT(slot)) & 3);
}

int dr_split(uint64_t addr, uint64_t len, struct dr_piece *out, int max)
{
    int n = 0;
    while (len > 0) {
        unsigned size = 8;
        while (size > 1 && ((addr & (size - 1)) != 0 || size > len))
            size /= 2;
        if (n == max)
            return -1;
        out[n++] = (struct dr_piece){.addr = addr, .len = size};
        addr += size;
        len -= size;
    }
    return n;
}
