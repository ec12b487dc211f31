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

static void instructions_that_may_change_tf(void)
{
    static const uint8_t popfq[] = {0x48, 0x9D};
    static const uint8_t iretq[] = {0x48, 0xCF};
    static const uint8_t sysretq[] = {0x48, 0x0F, 0x07};
    static const uint8_t syscall[] = {0x0F, 0x05};
    static const uint8_t int80[] = {0xCD, 0x80};
    static const uint8_t int3[] = {0xCC};
    static const uint8_t sysenter[] = {0x0F, 0x34};
    static const uint8_t vmrun[] = {0x0F, 0x01, 0xD8};
    static const uint8_t jmp_far_mem[] = {0xFF, 0x2C, 0x24};  /* jmp far [rsp] */
    static const uint8_t call_far_mem[] = {0xFF, 0x1C, 0x24}; /* call far [rsp] */
    static const uint8_t jmp_near_mem[] = {0xFF, 0x24, 0x24}; /* jmp [rsp] */
    static const uint8_t add_eax[] = {0x83, 0xC0, 0x01};
    static const uint8_t pushfq[] = {0x9C};
    static const uint8_t mov_cr3[] = {0x0F, 0x22, 0xD8};
    static const uint8_t prefixes_only[] = {0x66, 0x48};
    static const uint8_t cut[] = {0x0F};
    static const uint8_t mov_ss[] = {0x8E, 0xD0}; /* mov ss, eax */
    static const uint8_t mov_ds[] = {0x8E, 0xD8}; /* mov ds, eax */
    static const uint8_t pop_ss[] = {0x17};
    CHECK(x86_may_change_tf(mov_ss, sizeof(mov_ss), 1));
    CHECK(!x86_may_change_tf(mov_ds, sizeof(mov_ds), 1));
    CHECK(x86_may_change_tf(pop_ss, sizeof(pop_ss), 0));
    CHECK(x86_may_change_tf(popfq, sizeof(popfq), 1));
    CHECK(x86_may_change_tf(iretq, sizeof(iretq), 1));
    CHECK(x86_may_change_tf(sysretq, sizeof(sysretq), 1));
    CHECK(x86_may_change_tf(syscall, sizeof(syscall), 1));
    CHECK(x86_may_change_tf(int80, sizeof(int80), 1));
    CHECK(x86_may_change_tf(int3, sizeof(int3), 0));
    CHECK(x86_may_change_tf(sysenter, sizeof(sysenter), 0));
    CHECK(x86_may_change_tf(vmrun, sizeof(vmrun), 1));
    CHECK(x86_may_change_tf(jmp_far_mem, sizeof(jmp_far_mem), 1));
    CHECK(x86_may_change_tf(call_far_mem, sizeof(call_far_mem), 1));
    CHECK(!x86_may_change_tf(jmp_near_mem, sizeof(jmp_near_mem), 1));
    CHECK(!x86_may_change_tf(add_eax, sizeof(add_eax), 1));
    CHECK(!x86_may_change_tf(pushfq, sizeof(pushfq), 1));
    CHECK(!x86_may_change_tf(mov_cr3, sizeof(mov_cr3), 1));
    CHECK(x86_may_change_tf(prefixes_only, sizeof(prefixes_only), 1)); /* unknown: the worst */
    CHECK(x86_may_change_tf(cut, sizeof(cut), 1));
    CHECK(x86_may_change_tf(add_eax, 0, 1));
    CHECK(!x86_may_change_tf(popfq, sizeof(popfq), 0)); /* 48 is DEC EAX, an instruction */
}

int main(void)
{
    RUN(legacy_prefixes);
    RUN(rep_strings);
    RUN(ud2_behind_prefixes);
    RUN(instructions_that_may_change_tf);
    return CHECK_DONE();
}
