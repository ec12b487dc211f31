/* tests/unit/test_regs.c — register layouts: g/G round trips, p/P, target.xml per layout. */
#include "stub/hex.h"
#include "stub/regs.h"
#include "tests/unit/check.h"

static const enum target_arch all_archs[] = {TARGET_ARCH_X86_64, TARGET_ARCH_I386,
                                             TARGET_ARCH_I8086};
#define NARCHS (int)(sizeof(all_archs) / sizeof(all_archs[0]))

static void fill_regs(struct x86_regs *r, uint8_t seed)
{
    uint8_t *p = (uint8_t *)r;
    for (size_t i = 0; i < sizeof(*r); i++)
        p[i] = (uint8_t)(seed + i * 7);
}

/* amd64: 16*8 + rip 8 + eflags 4 + 6 segs*4 + 8 st*10 + 8 fpu*4 + 16 xmm*16 + mxcsr 4
 *        + fs/gs base 2*8 + k_gs_base, cr0 cr2 cr3 cr4 cr8 efer 7*8.
 * i386:  8*4 + eip 4 + eflags 4 + 6*4 + 80 + 32 + 8*16 + 4 + fs/gs base 2*4
 *        + k_gs_base 8 + 5 crs*4 + efer 8. */
static void test_g_size_per_layout(void)
{
    CHECK_EQ(regs_g_size(regs_layout_get(TARGET_ARCH_X86_64)),
             128 + 8 + 4 + 24 + 80 + 32 + 256 + 4 + 16 + 56);
    CHECK_EQ(regs_g_size(regs_layout_get(TARGET_ARCH_I386)),
             32 + 4 + 4 + 24 + 80 + 32 + 128 + 4 + 8 + 8 + 20 + 8);
    CHECK_EQ(regs_g_size(regs_layout_get(TARGET_ARCH_I8086)),
             regs_g_size(regs_layout_get(TARGET_ARCH_I386)));
    CHECK_EQ(regs_count(regs_layout_get(TARGET_ARCH_X86_64)), 66);
    CHECK_EQ(regs_count(regs_layout_get(TARGET_ARCH_I386)), 50);
    CHECK(regs_layout_get((enum target_arch)42) == NULL);
}

static void test_g_round_trip_each_layout(void)
{
    for (int a = 0; a < NARCHS; a++) {
        const struct regs_layout *l = regs_layout_get(all_archs[a]);
        size_t n = regs_g_size(l);
        char hex[2 * 1024], hex2[2 * 1024];
        struct x86_regs r, back;
        fill_regs(&r, 1);
        fill_regs(&back, 99);
        regs_encode_g(l, &r, hex);
        CHECK(regs_decode_g(l, &back, hex, 2 * n));
        regs_encode_g(l, &back, hex2);
        CHECK(memcmp(hex, hex2, 2 * n) == 0);
        /* wrong length or a bad digit: rejected, registers untouched */
        struct x86_regs keep = back;
        CHECK(!regs_decode_g(l, &back, hex, 2 * n - 2));
        hex[10] = 'x';
        CHECK(!regs_decode_g(l, &back, hex, 2 * n));
        CHECK(memcmp(&keep, &back, sizeof(keep)) == 0);
    }
}

static void test_g_order_amd64(void)
{
    const struct regs_layout *l = regs_layout_get(TARGET_ARCH_X86_64);
    struct x86_regs r = {0};
    char hex[2 * 1024];
    r.gpr[X86_RAX] = 0x1122334455667788ull;
    r.gpr[X86_RBX] = 0x01;
    r.rip = 0xffffffff81000000ull;
    regs_encode_g(l, &r, hex);
    CHECK(memcmp(hex, "8877665544332211", 16) == 0);           /* rax first, little-endian */
    CHECK(memcmp(hex + 16, "0100000000000000", 16) == 0);      /* then rbx */
    CHECK(memcmp(hex + 16 * 16, "00000081ffffffff", 16) == 0); /* rip is register 16 */
    CHECK_STR(regs_name(l, regs_pc(l)), "rip");
    CHECK_STR(regs_name(l, regs_sp(l)), "rsp");
    CHECK_STR(regs_name(l, regs_fp(l)), "rbp");
}

static void test_g_order_i386(void)
{
    const struct regs_layout *l = regs_layout_get(TARGET_ARCH_I386);
    struct x86_regs r = {0};
    char hex[2 * 1024];
    r.gpr[X86_RCX] = 0xaabbccdd;
    r.gpr[X86_RAX] = 0xffffffff00000001ull; /* only the low 32 bits are shown */
    regs_encode_g(l, &r, hex);
    CHECK(memcmp(hex, "01000000", 8) == 0);     /* eax */
    CHECK(memcmp(hex + 8, "ddccbbaa", 8) == 0); /* ecx is second in i386 order */
    CHECK_STR(regs_name(l, regs_pc(l)), "eip");
    CHECK_STR(regs_name(l, regs_sp(l)), "esp");
    CHECK_STR(regs_name(l, regs_fp(l)), "ebp");
}

/* Find a register number by name. */
static int reg_number(const struct regs_layout *l, const char *name)
{
    for (int i = 0; i < regs_count(l); i++)
        if (strcmp(regs_name(l, i), name) == 0)
            return i;
    return -1;
}

static void test_p_and_P_single_registers(void)
{
    const struct regs_layout *l = regs_layout_get(TARGET_ARCH_X86_64);
    struct x86_regs r = {0};
    char hex[64] = {0};
    int cr3 = reg_number(l, "cr3"), st1 = reg_number(l, "st1"), xmm15 = reg_number(l, "xmm15");
    int ftag = reg_number(l, "ftag");
    CHECK(cr3 > 0 && st1 > 0 && xmm15 > 0 && ftag > 0);
    r.cr3 = 0x1000;
    CHECK(regs_encode_p(l, &r, cr3, hex));
    CHECK(memcmp(hex, "0010000000000000", 16) == 0);
    CHECK(regs_decode_p(l, &r, st1, "0102030405060708090a", 20));
    CHECK_EQ(r.st[1][0], 1);
    CHECK_EQ(r.st[1][9], 10);
    CHECK_EQ(regs_size(l, st1), 10);
    CHECK_EQ(regs_size(l, xmm15), 16);
    CHECK(regs_decode_p(l, &r, ftag, "ffff0000", 8)); /* the full 16-bit tag word */
    CHECK_EQ(r.ftag, 0xffff);
    CHECK(!regs_decode_p(l, &r, cr3, "00", 2));
    CHECK(!regs_decode_p(l, &r, regs_count(l), "00", 2));
    CHECK(!regs_encode_p(l, &r, -1, hex));
    CHECK_EQ(regs_size(l, 1000), 0);
}

static void test_narrow_write_keeps_upper_bits(void)
{
    const struct regs_layout *l = regs_layout_get(TARGET_ARCH_I386);
    struct x86_regs r = {0};
    r.gpr[X86_RAX] = 0xdeadbeef00000000ull;
    CHECK(regs_decode_p(l, &r, 0, "78563412", 8));
    CHECK_EQ(r.gpr[X86_RAX], 0xdeadbeef12345678ull);
}

/* Well-formed enough: every <reg .../> has name, bitsize matching the layout, and regnum in
 * order; tags balance; the architecture is the layout's. */
static void check_xml(enum target_arch arch, const char *architecture)
{
    const struct regs_layout *l = regs_layout_get(arch);
    size_t len = 0;
    char *xml = regs_target_xml(l, &len);
    CHECK(xml != NULL);
    if (!xml)
        return;
    CHECK_EQ(strlen(xml), len);
    char want[64];
    snprintf(want, sizeof(want), "<architecture>%s</architecture>", architecture);
    CHECK(strstr(xml, want) != NULL);
    CHECK(strstr(xml, "<feature name=\"org.gnu.gdb.i386.core\">") != NULL);
    CHECK(strstr(xml, "<feature name=\"org.gnu.gdb.i386.sse\">") != NULL);
    int n = 0;
    for (const char *p = xml; (p = strstr(p, "<reg ")) != NULL; p++, n++) {
        char name[32];
        unsigned bits;
        int regnum;
        CHECK_EQ(sscanf(p, "<reg name=\"%31[^\"]\" bitsize=\"%u\" type=\"%*[^\"]\" regnum=\"%d\"",
                        name, &bits, &regnum),
                 3);
        CHECK_EQ(regnum, n);
        CHECK_STR(name, regs_name(l, n));
        CHECK_EQ(bits, 8 * regs_size(l, n));
    }
    CHECK_EQ(n, regs_count(l));
    /* balanced features/flags/unions, no characters that need escaping in XML text */
    int open = 0, close = 0;
    for (const char *p = xml; (p = strstr(p, "<feature ")) != NULL; p++)
        open++;
    for (const char *p = xml; (p = strstr(p, "</feature>")) != NULL; p++)
        close++;
    CHECK_EQ(open, close);
    CHECK(strstr(xml, "</target>") != NULL);
    CHECK(strchr(xml, '&') == NULL);
    free(xml);
}

static void test_target_xml_per_layout(void)
{
    check_xml(TARGET_ARCH_X86_64, "i386:x86-64");
    check_xml(TARGET_ARCH_I386, "i386");
    check_xml(TARGET_ARCH_I8086, "i8086");
}

static void test_target_xml_names_match_qemu(void)
{
    static const char *const sys[] = {"fs_base", "gs_base", "k_gs_base", "cr0", "cr2",
                                      "cr3",     "cr4",     "cr8",       "efer"};
    for (int a = 0; a < NARCHS; a++)
        for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
            CHECK(reg_number(regs_layout_get(all_archs[a]), sys[i]) > 0);
    size_t len;
    char *xml = regs_target_xml(regs_layout_get(TARGET_ARCH_X86_64), &len);
    CHECK(strstr(xml, "org.gnu.gdb.i386.segments") != NULL);
    free(xml);
    /* gdb 13 asserts on the segments feature in an i386 description */
    xml = regs_target_xml(regs_layout_get(TARGET_ARCH_I386), &len);
    CHECK(strstr(xml, "org.gnu.gdb.i386.segments") == NULL);
    free(xml);
}

int main(void)
{
    RUN(test_g_size_per_layout);
    RUN(test_g_round_trip_each_layout);
    RUN(test_g_order_amd64);
    RUN(test_g_order_i386);
    RUN(test_p_and_P_single_registers);
    RUN(test_narrow_write_keeps_upper_bits);
    RUN(test_target_xml_per_layout);
    RUN(test_target_xml_names_match_qemu);
    return CHECK_DONE();
}
