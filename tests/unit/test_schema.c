/* tests/unit/test_schema.c — packet argument schemas (stub/cmd_schema.h). */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "stub/cmd_schema.h"

static uint8_t decoded[8];

static bool parse(const char *schema, const char *pkt, struct cmd_args *a)
{
    a->buf = decoded;
    a->cap = sizeof(decoded);
    return cmd_schema_parse(schema, pkt, strlen(pkt), a);
}

static void numbers_and_literals(void)
{
    struct cmd_args a;
    CHECK(parse("x,x", "1000,20", &a));
    CHECK_EQ(a.n, 2);
    CHECK_EQ(a.v[0].u, 0x1000);
    CHECK_EQ(a.v[1].u, 0x20);
    CHECK(!parse("x,x", "1000", &a));
    CHECK(!parse("x,x", "1000,", &a));
    CHECK(!parse("x,x", "1000,20,", &a)); /* the whole packet must match */
    CHECK(!parse("x,x", "zz,20", &a));
    CHECK(!parse("x", "11112222333344445", &a)); /* more than 64 bits */
    CHECK(parse("", "", &a));
    CHECK(!parse("", "x", &a));
}

static void strings_stop_at_the_next_literal(void)
{
    struct cmd_args a;
    CHECK(parse("x,x:s", "10,2:\x01\x02", &a));
    CHECK_EQ(a.v[2].len, 2);
    CHECK(memcmp(a.v[2].str, "\x01\x02", 2) == 0);
    CHECK(parse("x,x:s", "10,0:", &a));
    CHECK_EQ(a.v[2].len, 0);
    CHECK(parse("s:x,x", "target.xml:0,fff", &a));
    CHECK_EQ(a.v[0].len, 10);
    CHECK_EQ(a.v[2].u, 0xfff);
    CHECK(!parse("s:x,x", "target.xml", &a));
    CHECK(parse("x=s", "10=0011", &a));
    CHECK_EQ(a.v[1].len, 4);
}

static void threads_and_characters(void)
{
    struct cmd_args a;
    CHECK(parse("ct", "g-1", &a));
    CHECK_EQ(a.v[0].u, 'g');
    CHECK_EQ(a.v[1].tid, -1);
    CHECK(parse("ct", "c0", &a));
    CHECK_EQ(a.v[1].tid, 0);
    CHECK(parse("t", "7fffffff", &a));
    CHECK(!parse("t", "80000000", &a));
    CHECK(!parse("ct", "g", &a));
    CHECK(!parse("ct", "", &a));
}

static void optional_groups(void)
{
    struct cmd_args a;
    CHECK(parse("[x]", "", &a));
    CHECK_EQ(a.n, 1);
    CHECK(!a.v[0].present);
    CHECK(parse("[x]", "400000", &a));
    CHECK(a.v[0].present);
    CHECK_EQ(a.v[0].u, 0x400000);
    CHECK(!parse("[x]", "zz", &a));
    CHECK(parse("x[;x]", "05", &a));
    CHECK(!a.v[1].present);
    CHECK(parse("x[;x]", "05;1000", &a));
    CHECK(a.v[1].present && a.v[1].u == 0x1000);
    CHECK(!parse("x[;x]", "05;", &a));
    CHECK(parse("x,x,x[;s]", "0,1000,1", &a));
    CHECK(!a.v[3].present);
    CHECK(parse("x,x,x[;s]", "0,1000,1;X2,0a01", &a));
    CHECK(a.v[3].present && a.v[3].len == 7);
    CHECK(!parse("x,x,x[;s]", "0,1000,1:", &a));
}

static void hex_bytes_are_decoded_into_the_buffer(void)
{
    struct cmd_args a;
    CHECK(parse("h", "6869", &a));
    CHECK_EQ(a.v[0].len, 2);
    CHECK(strcmp(a.v[0].str, "hi") == 0); /* NUL-terminated */
    CHECK(parse("x,x:h", "10,3:00ff7f", &a));
    CHECK_EQ(a.v[2].len, 3);
    CHECK(memcmp(a.v[2].str, "\x00\xff\x7f", 3) == 0);
    CHECK(parse("h", "", &a));
    CHECK_EQ(a.v[0].len, 0);
    CHECK(parse("h,h", "61,6263", &a)); /* each after the one before */
    CHECK(strcmp(a.v[0].str, "a") == 0 && strcmp(a.v[1].str, "bc") == 0);
    CHECK(parse("[;h]", ";41", &a));
    CHECK(a.v[0].present && a.v[0].len == 1);
    CHECK(!parse("h", "686", &a));              /* odd */
    CHECK(!parse("h", "zz", &a));               /* not hex */
    CHECK(!parse("h:x", "6869", &a));           /* no ':' after it */
    CHECK(parse("h", "01020304050607", &a));    /* 7 bytes and the NUL: the buffer's 8 */
    CHECK(!parse("h", "0102030405060708", &a)); /* 8 do not fit */
    a.buf = NULL;
    a.cap = 0;
    CHECK(!cmd_schema_parse("h", "61", 2, &a)); /* no buffer: nothing fits */
}

static void too_many_arguments_fail(void)
{
    struct cmd_args a;
    CHECK(!parse("x,x,x,x,x,x,x", "1,2,3,4,5,6,7", &a));
    CHECK(parse("x,x,x,x,x,x", "1,2,3,4,5,6", &a));
}

int main(void)
{
    RUN(numbers_and_literals);
    RUN(strings_stop_at_the_next_literal);
    RUN(threads_and_characters);
    RUN(optional_groups);
    RUN(hex_bytes_are_decoded_into_the_buffer);
    RUN(too_many_arguments_fail);
    return CHECK_DONE();
}
