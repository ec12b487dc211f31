/* tests/unit/test_x86_insn.c — the instruction facts in base/x86.h: prefixes, REP strings, UD2. */
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

static void rep_strings(void)
{
    static const uint8_t rep_stosb[] = {0xF3, 0xAA};
    static const uint8_t rep_stosq[] = {0xF3, 0x48, 0xAB};
    static const uint8_t rep_movsd_seg[] = {0x2E, 0xF3, 0x66, 0xA5};
    static const uint8_t repne_scasb[] = {0xF2, 0xAE};
    static const uint8_t rep_insb[] = {0xF3, 0x6C};
    static const uint8_t stosb[] = {0xAA};                    /* no REP: one iteration anyway */
    static const uint8_t popcnt[] = {0xF3, 0x0F, 0xB8};       /* F3 as part of an opcode */
    static const uint8_t rep_nop[] = {0xF3, 0x90};            /* PAUSE */
    static const uint8_t cut[] = {0xF3, 0x48};                /* truncated before the opcode */
    static const uint8_t rex_then_rep[] = {0x48, 0xF3, 0xAB}; /* the REX is ignored: STOSD */
    CHECK(x86_is_rep_string(rep_stosb, sizeof(rep_stosb), 1));
    CHECK(x86_is_rep_string(rep_stosq, sizeof(rep_stosq), 1));
    CHECK(x86_is_rep_string(rep_movsd_seg, sizeof(rep_movsd_seg), 1));
    CHECK(x86_is_rep_string(repne_scasb, sizeof(repne_scasb), 1));
    CHECK(x86_is_rep_string(rep_insb, sizeof(rep_insb), 1));
    CHECK(!x86_is_rep_string(stosb, sizeof(stosb), 1));
    CHECK(!x86_is_rep_string(popcnt, sizeof(popcnt), 1));
    CHECK(!x86_is_rep_string(rep_nop, sizeof(rep_nop), 1));
    CHECK(!x86_is_rep_string(cut, sizeof(cut), 1));
    CHECK(!x86_is_rep_string(rep_stosb, 0, 1));
    CHECK(x86_is_rep_string(rep_stosb, sizeof(rep_stosb), 0));
    CHECK(x86_is_rep_string(rex_then_rep, sizeof(rex_then_rep), 1));
    CHECK(!x86_is_rep_string(rep_stosq, sizeof(rep_stosq), 0)); /* 48: DEC EAX outside 64-bit */
}

static void ud2_behind_prefixes(void)
{
    static const uint8_t ud2[] = {0x0F, 0x0B};
    static const uint8_t prefixed[] = {0x66, 0xF3, 0x2E, 0x0F, 0x0B};
    static const uint8_t rex[] = {0x66, 0x48, 0x0F, 0x0B};
    static const uint8_t ud1[] = {0x0F, 0xB9, 0xC0};
    static const uint8_t cut[] = {0x66, 0x0F};
    static const uint8_t rex_then_legacy[] = {0x48, 0x66, 0x0F, 0x0B}; /* the REX is ignored */
    static const uint8_t two_rex[] = {0x40, 0x48, 0x0F, 0x0B};
    static const uint8_t too_long[] = {0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                                       0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x0F, 0x0B};
    CHECK(x86_is_ud2(ud2, sizeof(ud2), 0));
    CHECK(x86_is_ud2(prefixed, sizeof(prefixed), 0));
    CHECK(x86_is_ud2(rex, sizeof(rex), 1));
    CHECK(!x86_is_ud2(rex, sizeof(rex), 0)); /* 48 is DEC EAX outside 64-bit mode */
    CHECK(!x86_is_ud2(ud1, sizeof(ud1), 1));
    CHECK(!x86_is_ud2(cut, sizeof(cut), 1));
    CHECK(!x86_is_ud2(ud2, 1, 1));
    CHECK(x86_is_ud2(rex_then_legacy, sizeof(rex_then_legacy), 1));
    CHECK(x86_is_ud2(two_rex, sizeof(two_rex), 1));
    CHECK(!x86_is_ud2(too_long, sizeof(too_long), 1)); /* 16 bytes: #GP */
    CHECK(x86_is_ud2(too_long + 1, sizeof(too_long) - 1, 1));
}

int main(void)
{
    RUN(legacy_prefixes);
    RUN(rep_strings);
    RUN(ud2_behind_prefixes);
    return CHECK_DONE();
}
