/* tests/unit/test_ram.c — the -m size parser and the RAM layout around the 32-bit hole. */
#include "base/layout.h"
#include "base/ram.h"
#include "check.h"

static void size_parser_accepts_units(void)
{
    uint64_t v;
    CHECK(ram_parse_size("64M", &v) && v == 64ULL << 20);
    CHECK(ram_parse_size("1G", &v) && v == 1ULL << 30);
    CHECK(ram_parse_size("512k", &v) && v == 512ULL << 10);
    CHECK(ram_parse_size("2GiB", &v) && v == 2ULL << 30);
    CHECK(ram_parse_size("3MB", &v) && v == 3ULL << 20);
    CHECK(ram_parse_size("4096", &v) && v == 4096);
    CHECK(ram_parse_size("1T", &v) && v == 1ULL << 40);
}

static void size_parser_rejects_garbage(void)
{
    uint64_t v;
    CHECK(!ram_parse_size("", &v));
    CHECK(!ram_parse_size("M", &v));
    CHECK(!ram_parse_size("-1G", &v));
    CHECK(!ram_parse_size("12Q", &v));
    CHECK(!ram_parse_size("1GG", &v));
    CHECK(!ram_parse_size(" 1G", &v));
    CHECK(!ram_parse_size("99999999999999999999", &v));
    CHECK(!ram_parse_size("17179869184G", &v)); /* 2^34 GiB overflows */
}

static void small_ram_is_one_region(void)
{
    struct guest_ram ram;
    ram_init(&ram, NULL, 64 << 20);
    struct ram_region r[2];
    CHECK_EQ(ram_regions(&ram, r), 1);
    CHECK_EQ(r[0].gpa, 0);
    CHECK_EQ(r[0].size, 64 << 20);
}

static void large_ram_continues_above_4g(void)
{
    struct guest_ram ram;
    ram_init(&ram, NULL, 4ULL << 30);
    struct ram_region r[2];
    CHECK_EQ(ram_regions(&ram, r), 2);
    CHECK_EQ(r[0].size, LAYOUT_LOW_RAM_MAX);
    CHECK_EQ(r[1].gpa, LAYOUT_4G);
    CHECK_EQ(r[1].size, (4ULL << 30) - LAYOUT_LOW_RAM_MAX);
    CHECK_EQ(r[1].offset, LAYOUT_LOW_RAM_MAX);
    CHECK(ram_contains(&ram, LAYOUT_4G, 4096));
    CHECK(!ram_contains(&ram, LAYOUT_LOW_RAM_MAX, 1));     /* the hole */
    CHECK(!ram_contains(&ram, LAYOUT_LOW_RAM_MAX - 1, 2)); /* runs into the hole */
}

static void bounds_never_wrap(void)
{
    static uint8_t host[8192];
    struct guest_ram ram;
    ram_init(&ram, host, sizeof(host));
    CHECK(ram_ptr(&ram, 0, 8192) == host);
    CHECK(ram_ptr(&ram, 4096, 4097) == NULL);
    CHECK(ram_ptr(&ram, UINT64_MAX, 2) == NULL);
    CHECK(ram_ptr(&ram, 8192, 1) == NULL);
    CHECK_EQ(ram_span(&ram, 100), 8092);
    CHECK_EQ(ram_span(&ram, 1ULL << 63), 0);
    uint8_t b = 0;
    CHECK(!ram_read(&ram, 8191, &b, 2));
    CHECK(ram_write(&ram, 8191, "x", 1) && host[8191] == 'x');
}

int main(void)
{
    RUN(size_parser_accepts_units);
    RUN(size_parser_rejects_garbage);
    RUN(small_ram_is_one_region);
    RUN(large_ram_continues_above_4g);
    RUN(bounds_never_wrap);
    return CHECK_DONE();
}
