/* tests/unit/test_x86_insn.c — the instruction facts in base/x86.h: legacy prefixes. */
#include "base/x86.h"
#include "check.h"

static void legacy_prefixes(void)
{
    CHECK(x86_is_legacy_prefix(0x66));
    CHECK(x86_is_legacy_prefix(0xF0));
    CHECK(x86_is_legacy_prefix(0x65));
    CHECK(!x86_is_legacy_prefix(0xF3)); /* REP: part of some opcodes (POPCNT, ...) */
    CHECK(!x86_is_legacy_prefix(0x48)); /* REX is not a legacy prefix */
    CHECK(!x86_is_legacy_prefix(0x90));
}

int main(void)
{
    RUN(legacy_prefixes);
    return CHECK_DONE();
}
