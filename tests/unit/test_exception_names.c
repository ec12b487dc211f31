/* tests/unit/test_exception_names.c — `monitor catch exception` words: numbers, names with and
 * without '#' in any case, all and none, and refusals; names, signals and fault kinds. */
#include "check.h"
#include "debug/exception_names.h"
#include "stub/target.h"

static bool parse(const char *words, uint32_t *mask, char *err)
{
    static char buf[128];
    char *argv[8];
    int argc = 0;
    snprintf(buf, sizeof(buf), "%s", words);
    for (char *t = strtok(buf, " "); t && argc < 8; t = strtok(NULL, " "))
        argv[argc++] = t;
    return exception_parse_vectors(argc, argv, mask, err, 160);
}

static void vectors_by_number_and_name(void)
{
    uint32_t m;
    char err[160];
    CHECK(parse("14", &m, err));
    CHECK_EQ(m, 1u << 14);
    CHECK(parse("0xe #pf PF pf", &m, err));
    CHECK_EQ(m, 1u << 14);
    CHECK(parse("#DE #ud gp #DF xf", &m, err));
    CHECK_EQ(m, (1u << 0) | (1u << 6) | (1u << 13) | (1u << 8) | (1u << 19));
    CHECK(parse("31", &m, err));
    CHECK_EQ(m, 1u << 31);
    CHECK(parse("all", &m, err));
    CHECK_EQ(m, ~(1u << 2)); /* every vector but NMI */
    CHECK(parse("none", &m, err));
    CHECK_EQ(m, 0);
}

static void refusals(void)
{
    uint32_t m;
    char err[160];
    CHECK(!parse("32", &m, err));
    CHECK(strstr(err, "'32' is not an exception") != NULL);
    CHECK(!parse("-1", &m, err));
    CHECK(!parse("14x", &m, err));
    CHECK(!parse("#XX", &m, err));
    CHECK(!parse("#", &m, err));
    CHECK(!parse("nmi", &m, err));
    CHECK(strstr(err, "interrupt") != NULL);
    CHECK(!parse("none 14", &m, err));
    CHECK(!parse("", &m, err));
}

static void names_signals_faults(void)
{
    char b[16];
    CHECK_STR(exception_short_name(14, b, sizeof(b)), "#PF");
    CHECK_STR(exception_short_name(15, b, sizeof(b)), "#15");
    CHECK_STR(exception_long_name(13), "general protection");
    CHECK_STR(exception_long_name(15), "reserved");
    CHECK_EQ(exception_signal(0), GDB_SIGNAL_FPE);
    CHECK_EQ(exception_signal(6), GDB_SIGNAL_ILL);
    CHECK_EQ(exception_signal(13), GDB_SIGNAL_SEGV);
    CHECK_EQ(exception_signal(14), GDB_SIGNAL_SEGV);
    CHECK_EQ(exception_signal(8), GDB_SIGNAL_TRAP);
    CHECK(exception_is_fault(14));
    CHECK(exception_is_fault(0));
    CHECK(!exception_is_fault(3)); /* a trap: the pushed pc is past INT3 */
    CHECK(!exception_is_fault(8)); /* #DF: no pc to go back to */
    CHECK(!exception_is_fault(40));
}

int main(void)
{
    RUN(vectors_by_number_and_name);
    RUN(refusals);
    RUN(names_signals_faults);
    return CHECK_DONE();
}
