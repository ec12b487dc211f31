/* tests/unit/test_access_breaks.c — `monitor break io|msr`: parsing, numbering, matching,
 * deleting and the text shown. */
#include "check.h"
#include "debug/access_breaks.h"

static bool parse(const char *a, const char *b, const char *c, struct access_break *out, char *err)
{
    char *argv[3] = {(char *)a, (char *)b, (char *)c};
    return access_break_parse(c ? 3 : 2, argv, out, err, 128);
}

static void parse_forms(void)
{
    struct access_break b;
    char err[128];
    CHECK(parse("io", "0x3f8", NULL, &b, err));
    CHECK_EQ(b.space, ACCESS_IO);
    CHECK_EQ(b.lo, 0x3f8);
    CHECK_EQ(b.hi, 0x3f8);
    CHECK_EQ(b.accesses, ACCESS_READ | ACCESS_WRITE);
    CHECK(parse("io", "0x3f8-0x3ff", "w", &b, err));
    CHECK_EQ(b.lo, 0x3f8);
    CHECK_EQ(b.hi, 0x3ff);
    CHECK_EQ(b.accesses, ACCESS_WRITE);
    CHECK(parse("io", "96", "r", &b, err));
    CHECK_EQ(b.lo, 0x60);
    CHECK_EQ(b.accesses, ACCESS_READ);
    CHECK(parse("msr", "0xc0000080", "rw", &b, err));
    CHECK_EQ(b.space, ACCESS_MSR);
    CHECK_EQ(b.lo, 0xc0000080u);
    CHECK_EQ(b.hi, 0xc0000080u);
}

static void parse_refusals(void)
{
    struct access_break b;
    char err[128];
    CHECK(!parse("io", "0x10000", NULL, &b, err));
    CHECK(strstr(err, "0..0xffff") != NULL);
    CHECK(!parse("io", "0x20-0x10", NULL, &b, err));
    CHECK(!parse("io", "-1", NULL, &b, err));
    CHECK(!parse("io", "0x60-", NULL, &b, err));
    CHECK(!parse("io", "port", NULL, &b, err));
    CHECK(!parse("io", "0x60", "x", &b, err));
    CHECK_STR(err, "'x': the accesses are r, w or rw");
    CHECK(!parse("msr", "0x174-0x175", NULL, &b, err)); /* one MSR per breakpoint */
    CHECK(!parse("msr", "0x100000000", NULL, &b, err));
    CHECK(!parse("mem", "0x1000", NULL, &b, err));
    CHECK_STR(err, "'mem': neither io nor msr");
    char *one[1] = {"io"};
    CHECK(!access_break_parse(1, one, &b, err, sizeof(err)));
    CHECK(strstr(err, "usage") != NULL);
}

static void numbers_match_delete(void)
{
    struct access_breaks t = {0};
    struct access_break b;
    char err[128];
    CHECK(parse("io", "0x510", "w", &b, err));
    CHECK_EQ(access_breaks_add(&t, &b), 1);
    CHECK(parse("io", "0x511-0x512", "r", &b, err));
    CHECK_EQ(access_breaks_add(&t, &b), 2);
    CHECK(parse("msr", "0x510", NULL, &b, err));
    CHECK_EQ(access_breaks_add(&t, &b), 3);
    /* direction, range edges, and port and MSR spaces kept apart */
    CHECK(access_breaks_match(&t, ACCESS_IO, 0x510, true) == &t.items[0]);
    CHECK(access_breaks_match(&t, ACCESS_IO, 0x510, false) == NULL);
    CHECK(access_breaks_match(&t, ACCESS_IO, 0x512, false) == &t.items[1]);
    CHECK(access_breaks_match(&t, ACCESS_IO, 0x513, false) == NULL);
    CHECK(access_breaks_match(&t, ACCESS_MSR, 0x510, false)->num == 3);
    CHECK(access_breaks_match(&t, ACCESS_MSR, 0x511, true) == NULL);
    CHECK_EQ(access_breaks_delete(&t, 2), 1);
    CHECK_EQ(access_breaks_delete(&t, 2), 0);
    CHECK(access_breaks_match(&t, ACCESS_IO, 0x511, false) == NULL);
    CHECK(parse("io", "0x60", NULL, &b, err));
    CHECK_EQ(access_breaks_add(&t, &b), 4); /* numbers are never reused */
    CHECK_EQ(access_breaks_delete(&t, 0), 3);
    CHECK_EQ(t.n, 0);
    for (int i = 0; i < ACCESS_BREAKS_MAX; i++)
        CHECK(access_breaks_add(&t, &b) > 0);
    CHECK_EQ(access_breaks_add(&t, &b), -1);
}

static void text(void)
{
    struct access_break b = {.space = ACCESS_IO, .lo = 0x3f8, .hi = 0x3ff, .accesses = 3};
    char buf[96];
    access_break_format(&b, buf, sizeof(buf));
    CHECK_STR(buf, "io 0x3f8-0x3ff rw");
    b = (struct access_break){.space = ACCESS_MSR, .lo = 0x174, .hi = 0x174, .accesses = 2};
    access_break_format(&b, buf, sizeof(buf));
    CHECK_STR(buf, "msr 0x174 w");
    struct access_hit h = {.space = ACCESS_IO, .where = 0x511, .value = 0xffff, .size = 2};
    access_hit_format(&h, buf, sizeof(buf));
    CHECK_STR(buf, "port 0x511 read 0xffff (2 bytes)");
    h = (struct access_hit){.space = ACCESS_MSR, .where = 0x174, .is_write = true, .value = 16};
    access_hit_format(&h, buf, sizeof(buf));
    CHECK_STR(buf, "MSR 0x174 write 0x10");
}

int main(void)
{
    RUN(parse_forms);
    RUN(parse_refusals);
    RUN(numbers_match_delete);
    RUN(text);
    return CHECK_DONE();
}
