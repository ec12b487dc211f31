/* tests/unit/test_pagewalk.c — the software page walk over synthetic page tables. */
#include "check.h"
#include "phys_mem.h"
#include "vm/x86/pagewalk.h"

static uint64_t walk(enum paging_mode mode, uint64_t cr3, bool pse, uint64_t linear,
                     struct pagewalk_result *r)
{
    return pagewalk(mode, cr3, pse, linear, read_mem, NULL, r) == 0 ? r->gpa : ~0ULL;
}

static void paging_off_is_identity(void)
{
    struct pagewalk_result r;
    CHECK_EQ(walk(PAGING_NONE, 0, false, 0x12345, &r), 0x12345);
    CHECK_EQ(walk(PAGING_NONE, 0, false, 0x100000000ULL, &r), ~0ULL);
    CHECK(r.fault != NULL);
}

static void mode_from_control_registers(void)
{
    CHECK_EQ(paging_mode_of(0x11, 0, 0), PAGING_NONE);
    CHECK_EQ(paging_mode_of(0x80000011, 0, 0), PAGING_32);
    CHECK_EQ(paging_mode_of(0x80000011, 0x20, 0), PAGING_PAE);
    CHECK_EQ(paging_mode_of(0x80000011, 0x20, 0x500), PAGING_4LEVEL);
    CHECK_EQ(paging_mode_of(0x80000011, 0x1020, 0x500), PAGING_5LEVEL);
}

static void two_level_4k_and_4m(void)
{
    memset(test_mem, 0, sizeof(test_mem));
    /* page directory at 0x1000, page table at 0x2000 */
    put32(0x1000 + 4 * 0x001, 0x2000 | 0x3);               /* 0x00400000-: page table */
    put32(0x2000 + 4 * 0x005, 0x7000 | 0x3);               /* 0x00405000 -> 0x7000 */
    put32(0x1000 + 4 * 0x300, 0x00800000 | 0x83);          /* 0xC0000000: 4 MiB page at 8 MiB */
    put32(0x1000 + 4 * 0x301, 0x00C00000 | 0x2000 | 0x83); /* PSE-36: bits 39:32 = 1 */
    struct pagewalk_result r;
    CHECK_EQ(walk(PAGING_32, 0x1000, true, 0x00405123, &r), 0x7123);
    CHECK_EQ(r.nsteps, 2);
    CHECK_EQ(r.page_size, 4096);
    CHECK_EQ(walk(PAGING_32, 0x1000, true, 0xC0012345, &r), 0x00812345);
    CHECK_EQ(r.page_size, 4 << 20);
    CHECK_EQ(walk(PAGING_32, 0x1000, true, 0xC0412345, &r), 0x100C12345ULL);
    CHECK_EQ(walk(PAGING_32, 0x1000, true, 0x00406000, &r), ~0ULL); /* PTE not present */
    CHECK_STR(r.fault, "not present");
    /* Without CR4.PSE the PS bit is ignored: the entry points at a page table. */
    CHECK(walk(PAGING_32, 0x1000, false, 0xC0012345, &r) != 0x00812345);
}

static void pae_4k_and_2m(void)
{
    memset(test_mem, 0, sizeof(test_mem));
    put64(0x3000 + 8 * 3, 0x4000 | 0x1);      /* PDPTE 3: 0xC0000000- */
    put64(0x4000 + 8 * 0, 0x5000 | 0x3);      /* PD 0 -> page table */
    put64(0x5000 + 8 * 0x10, 0x9000 | 0x3);   /* 0xC0010000 -> 0x9000 */
    put64(0x4000 + 8 * 1, 0x00600000 | 0x83); /* 0xC0200000: 2 MiB page */
    struct pagewalk_result r;
    CHECK_EQ(walk(PAGING_PAE, 0x3000, false, 0xC0010abc, &r), 0x9abc);
    CHECK_EQ(r.nsteps, 3);
    CHECK_STR(r.steps[0].name, "PDPTE");
    CHECK_EQ(walk(PAGING_PAE, 0x3000, false, 0xC0212345, &r), 0x00612345);
    CHECK_EQ(r.page_size, 2 << 20);
    CHECK_EQ(walk(PAGING_PAE, 0x3000, false, 0x00001000, &r), ~0ULL);
}

static void four_level_all_page_sizes(void)
{
    memset(test_mem, 0, sizeof(test_mem));
    /* 0xffffffff80000000: PML4 511, PDPT 510 */
    put64(0x10000 + 8 * 511, 0x11000 | 0x3);
    put64(0x11000 + 8 * 510, 0x12000 | 0x3);
    put64(0x12000 + 8 * 0, 0x13000 | 0x3);
    put64(0x13000 + 8 * 1, 0x20000 | 0x3);                    /* 0xffffffff80001000 -> 0x20000 */
    put64(0x12000 + 8 * 1, 0x00400000 | 0x83 | (1ULL << 63)); /* 2 MiB, NX */
    put64(0x11000 + 8 * 0, 0x40000000 | 0x83);                /* 0xffffff8000000000: 1 GiB page */
    struct pagewalk_result r;
    CHECK_EQ(walk(PAGING_4LEVEL, 0x10000, false, 0xffffffff80001234ULL, &r), 0x20234);
    CHECK_EQ(r.nsteps, 4);
    CHECK_STR(r.steps[3].name, "PTE");
    CHECK_EQ(walk(PAGING_4LEVEL, 0x10000, false, 0xffffffff80212345ULL, &r), 0x00412345);
    CHECK_EQ(walk(PAGING_4LEVEL, 0x10000, false, 0xffffff8000123456ULL, &r), 0x40123456);
    CHECK_EQ(r.page_size, 1 << 30);
    CHECK_EQ(walk(PAGING_4LEVEL, 0x10000, false, 0x0000800000000000ULL, &r), ~0ULL);
    CHECK_STR(r.fault, "non-canonical address");
}

static void five_level(void)
{
    memset(test_mem, 0, sizeof(test_mem));
    /* linear 0x0100000000001000: PML5 index 1 */
    put64(0x30000 + 8 * 1, 0x31000 | 0x3);
    put64(0x31000 + 8 * 0, 0x32000 | 0x3);
    put64(0x32000 + 8 * 0, 0x33000 | 0x3);
    put64(0x33000 + 8 * 0, 0x34000 | 0x3);
    put64(0x34000 + 8 * 1, 0x50000 | 0x3);
    struct pagewalk_result r;
    CHECK_EQ(walk(PAGING_5LEVEL, 0x30000, false, 0x0001000000001010ULL, &r), 0x50010);
    CHECK_EQ(r.nsteps, 5);
    CHECK_STR(r.steps[0].name, "PML5E");
    /* Canonical for 5-level, not for 4-level. */
    CHECK_EQ(walk(PAGING_4LEVEL, 0x30000, false, 0x0001000000001010ULL, &r), ~0ULL);
}

static void tables_outside_ram_fail_cleanly(void)
{
    struct pagewalk_result r;
    CHECK_EQ(walk(PAGING_4LEVEL, 0x7ffffff000ULL, false, 0x1000, &r), ~0ULL);
    CHECK_STR(r.fault, "page table outside guest RAM");
}

static struct pagewalk_region region(enum paging_mode mode, uint64_t cr3, uint64_t linear)
{
    struct pagewalk_region r;
    CHECK_EQ(pagewalk_region(mode, cr3, true, linear, read_mem, NULL, &r), 0);
    return r;
}

#define CHECK_REGION(r, s, n, m, w, x)                                                             \
    do {                                                                                           \
        struct pagewalk_region check_r_ = (r);                                                     \
        CHECK_EQ(check_r_.start, s);                                                               \
        CHECK_EQ(check_r_.size, n);                                                                \
        CHECK_EQ(check_r_.mapped, m);                                                              \
        CHECK_EQ(check_r_.write, w);                                                               \
        CHECK_EQ(check_r_.exec, x);                                                                \
    } while (0)

/* LLDB's qMemoryRegionInfo: the extent and permissions of the mapping around an address. */
static void regions_follow_the_page_tables(void)
{
    memset(test_mem, 0, sizeof(test_mem));
    /* 4-level: PML4 at 0x10000, PDPT 0x11000, PD 0x12000, PT 0x13000 for [0, 2 MiB) */
    put64(0x10000, 0x11000 | 0x3);
    put64(0x11000, 0x12000 | 0x3);
    put64(0x12000, 0x13000 | 0x3);
    for (int i = 0x100; i < 0x104; i++)
        put64(0x13000 + 8 * i, (uint64_t)i << 12 | 0x1); /* 1 MiB..+16 KiB: read-only code */
    for (int i = 0x104; i < 0x106; i++)
        put64(0x13000 + 8 * i, (uint64_t)i << 12 | 0x3 | (1ULL << 63)); /* data: rw, NX */
    put64(0x12000 + 8 * 1, 0x00200000 | 0x83);                          /* 2 MiB page, rwx */
    put64(0x12000 + 8 * 2, 0x00400000 | 0x83);                          /* and the next */
    CHECK_REGION(region(PAGING_4LEVEL, 0x10000, 0x101234), 0x100000, 0x4000, true, false, true);
    CHECK_REGION(region(PAGING_4LEVEL, 0x10000, 0x104000), 0x104000, 0x2000, true, true, false);
    /* unmapped PTEs up to the end of the page table, then the 2 MiB pages are mapped */
    CHECK_REGION(region(PAGING_4LEVEL, 0x10000, 0x106000), 0x106000, 0x200000 - 0x106000, false,
                 false, false);
    CHECK_REGION(region(PAGING_4LEVEL, 0x10000, 0x0), 0x0, 0x100000, false, false, false);
    CHECK_REGION(region(PAGING_4LEVEL, 0x10000, 0x2fffff), 0x200000, 0x400000, true, true, true);
    /* a missing PDPTE: the 1 GiB it would map, with the missing PDEs before it and the missing
     * PDPTEs and PML4Es after it (a bounded number of them) */
    struct pagewalk_region r = region(PAGING_4LEVEL, 0x10000, 0x40000000);
    CHECK_EQ(r.start, 0x600000);
    CHECK(!r.mapped && r.size > 0x40000000 && (r.start + r.size) % 0x40000000 == 0);
    /* the non-canonical hole is one region, unmapped, with what is unmapped around it */
    r = region(PAGING_4LEVEL, 0x10000, 0x123400000000000ULL);
    CHECK(!r.mapped && r.start < 0x800000000000ULL && r.start + r.size == 0);
    /* paging off: the 4 GiB linear space, then nothing */
    CHECK_REGION(region(PAGING_NONE, 0, 0x1234), 0, 0x100000000ULL, true, true, true);
    CHECK_REGION(region(PAGING_NONE, 0, 0x100000000ULL), 0x100000000ULL, -0x100000000ULL, false,
                 false, false);
    /* 32-bit paging: a 4 MiB page read-only, no NX there */
    memset(test_mem, 0, sizeof(test_mem));
    put32(0x1000 + 4 * 0x300, 0x00800000 | 0x81);
    CHECK_REGION(region(PAGING_32, 0x1000, 0xC0001000), 0xC0000000, 4 << 20, true, false, true);
    /* beyond 4 GiB: nothing, from the end of that page on */
    CHECK_REGION(region(PAGING_32, 0x1000, 0x100000000ULL), 0xC0400000, -0xC0400000ULL, false,
                 false, false);
}

static int count_leaf(void *fnctx, const struct pagewalk_leaf *leaf)
{
    int *n = fnctx;
    return ++*n == 2 ? 7 : 0;
}

/* The leaf enumeration ends with the first non-zero answer, and returns it. */
static void each_leaf_stops_when_asked(void)
{
    memset(test_mem, 0, sizeof(test_mem));
    put64(0x3000, 0x4000 | 0x1);
    for (int i = 0; i < 4; i++)
        put64(0x4000 + 8 * i, (uint64_t)i << 21 | 0x83);
    int n = 0;
    CHECK_EQ(pagewalk_each_leaf(PAGING_PAE, 0x3000, false, read_mem, NULL, count_leaf, &n), 7);
    CHECK_EQ(n, 2);
    n = -10;
    CHECK_EQ(pagewalk_each_leaf(PAGING_PAE, 0x3000, false, read_mem, NULL, count_leaf, &n), 0);
    CHECK_EQ(n, -6);
}

int main(void)
{
    RUN(paging_off_is_identity);
    RUN(mode_from_control_registers);
    RUN(two_level_4k_and_4m);
    RUN(pae_4k_and_2m);
    RUN(four_level_all_page_sizes);
    RUN(five_level);
    RUN(tables_outside_ram_fail_cleanly);
    RUN(regions_follow_the_page_tables);
    RUN(each_leaf_stops_when_asked);
    return CHECK_DONE();
}
