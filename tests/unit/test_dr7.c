/* tests/unit/test_dr7.c — DR7 encoding and the aligned split of watched ranges. */
#include "check.h"
#include "vm/x86/dr7.h"

static void len_encoding(void)
{
    CHECK_EQ(dr7_len_bits(1), 0);
    CHECK_EQ(dr7_len_bits(2), 1);
    CHECK_EQ(dr7_len_bits(8), 2);
    CHECK_EQ(dr7_len_bits(4), 3);
    CHECK_EQ(dr7_len_bits(3), -1);
}

static void set_and_clear_slots(void)
{
    uint64_t dr7 = dr7_set(0, 0, DR_RW_EXEC, 1);
    CHECK_EQ(dr7, 0x600 | 0x2);
    dr7 = dr7_set(dr7, 1, DR_RW_WRITE, 4);
    /* slot 1: G1 = bit 3, RW1 = bits 20-21 (01), LEN1 = bits 22-23 (11) */
    CHECK_EQ(dr7, 0x600 | 0x2 | 0x8 | (1ULL << 20) | (3ULL << 22));
    dr7 = dr7_set(dr7, 3, DR_RW_ACCESS, 8);
    CHECK_EQ((dr7 >> 28) & 3, 3); /* RW3 */
    CHECK_EQ((dr7 >> 30) & 3, 2); /* LEN3: 8 bytes */
    CHECK(dr7_enabled(dr7, 3));
    CHECK_EQ(dr7_rw(dr7, 0), DR_RW_EXEC);
    CHECK_EQ(dr7_rw(dr7, 1), DR_RW_WRITE);
    CHECK_EQ(dr7_rw(dr7, 3), DR_RW_ACCESS);
    dr7 = dr7_clear(dr7, 1);
    CHECK(!dr7_enabled(dr7, 1));
    CHECK_EQ((dr7 >> 20) & 0xF, 0);
    CHECK(dr7_enabled(dr7, 0));
}

static void split_aligned_ranges(void)
{
    struct dr_piece p[4];
    CHECK_EQ(dr_split(0x1000, 8, p, 4), 1);
    CHECK_EQ(p[0].len, 8);
    CHECK_EQ(dr_split(0x1000, 16, p, 4), 2);
    CHECK_EQ(p[1].addr, 0x1008);
    CHECK_EQ(dr_split(0x1003, 4, p, 4), 3); /* 1 @1003, 2 @1004, 1 @1006 */
    CHECK_EQ(p[0].len, 1);
    CHECK_EQ(p[1].addr, 0x1004);
    CHECK_EQ(p[1].len, 2);
    CHECK_EQ(p[2].addr, 0x1006);
    CHECK_EQ(dr_split(0x1001, 32, p, 4), -1); /* needs more than four */
    CHECK_EQ(dr_split(0x1000, 32, p, 4), 4);
}

int main(void)
{
    RUN(len_encoding);
    RUN(set_and_clear_slots);
    RUN(split_aligned_ranges);
    return CHECK_DONE();
}
