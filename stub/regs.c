/* stub/regs.c — register layouts (amd64, i386, i8086), their target.xml, and g/G/p/P. */
#include "stub/regs.h"

#include "stub/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "struct x86_regs fields are sent as their in-memory bytes (little-endian)");

enum regs_feature {
    FEAT_CORE,
    FEAT_SSE,
    FEAT_SEGMENTS,
    FEAT_SYSTEM,
    FEAT_COUNT,
};

/* gdb knows the first three by name; the system registers are extra and are named as QEMU
 * names them (fs_base ... efer), so `info registers` and `$cr3` work as users expect. */
static const char *const regs_feature_names[FEAT_COUNT] = {
    [FEAT_CORE] = "org.gnu.gdb.i386.core",
    [FEAT_SSE] = "org.gnu.gdb.i386.sse",
    [FEAT_SEGMENTS] = "org.gnu.gdb.i386.segments",
    [FEAT_SYSTEM] = "org.kvmstub.i386.system",
};

struct regs_reg {
    const char *name;
    unsigned short bitsize;
    unsigned short offset; /* in struct x86_regs */
    enum regs_feature feature;
    const char *type;
    const char *group; /* NULL: gdb decides */
};

struct regs_layout {
    const char *architecture; /* target.xml <architecture> */
    const char *osabi;        /* target.xml <osabi>, or NULL for gdb's default */
    const struct regs_reg *regs;
    int count;
    int pc, sp, fp;
};

#define REG(nm, bits, field, feat, ty, grp)                                                        \
    {                                                                                              \
        .name = nm, .bitsize = bits, .offset = offsetof(struct x86_regs, field), .feature = feat,  \
        .type = ty, .group = grp                                                                   \
    }
#define GPR(nm, bits, idx, ty) REG(nm, bits, gpr[idx], FEAT_CORE, ty, NULL)
#define SEG(nm, idx)           REG(nm, 32, seg[idx], FEAT_CORE, "int32", NULL)
#define ST(i)                  REG("st" #i, 80, st[i], FEAT_CORE, "i387_ext", NULL)
#define FPU(nm)                REG(#nm, 32, nm, FEAT_CORE, "int", "float")
#define XMM(i)                 REG("xmm" #i, 128, xmm[i], FEAT_SSE, "vec128", NULL)
#define SYS(nm, bits, ty)      REG(#nm, bits, nm, FEAT_SYSTEM, ty, NULL)

/* The parts every layout shares after the general registers and the instruction pointer. */
#define REGS_SEGS_X87                                                                              \
    SEG("cs", X86_CS), SEG("ss", X86_SS), SEG("ds", X86_DS), SEG("es", X86_ES), SEG("fs", X86_FS), \
        SEG("gs", X86_GS), ST(0), ST(1), ST(2), ST(3), ST(4), ST(5), ST(6), ST(7), FPU(fctrl),     \
        FPU(fstat), FPU(ftag), FPU(fiseg), FPU(fioff), FPU(foseg), FPU(fooff), FPU(fop)
#define REGS_XMM0_7 XMM(0), XMM(1), XMM(2), XMM(3), XMM(4), XMM(5), XMM(6), XMM(7)
#define REGS_MXCSR  REG("mxcsr", 32, mxcsr, FEAT_SSE, "i386_mxcsr", "vector")

/* gdb's amd64 core + sse, then segments and system. */
static const struct regs_reg regs_amd64[] = {
    GPR("rax", 64, X86_RAX, "int64"),
    GPR("rbx", 64, X86_RBX, "int64"),
    GPR("rcx", 64, X86_RCX, "int64"),
    GPR("rdx", 64, X86_RDX, "int64"),
    GPR("rsi", 64, X86_RSI, "int64"),
    GPR("rdi", 64, X86_RDI, "int64"),
    GPR("rbp", 64, X86_RBP, "data_ptr"),
    GPR("rsp", 64, X86_RSP, "data_ptr"),
    GPR("r8", 64, X86_R8, "int64"),
    GPR("r9", 64, X86_R9, "int64"),
    GPR("r10", 64, X86_R10, "int64"),
    GPR("r11", 64, X86_R11, "int64"),
    GPR("r12", 64, X86_R12, "int64"),
    GPR("r13", 64, X86_R13, "int64"),
    GPR("r14", 64, X86_R14, "int64"),
    GPR("r15", 64, X86_R15, "int64"),
    REG("rip", 64, rip, FEAT_CORE, "code_ptr", NULL),
    REG("eflags", 32, rflags, FEAT_CORE, "i386_eflags", NULL),
    REGS_SEGS_X87,
    REGS_XMM0_7,
    XMM(8),
    XMM(9),
    XMM(10),
    XMM(11),
    XMM(12),
    XMM(13),
    XMM(14),
    XMM(15),
    REGS_MXCSR,
    REG("fs_base", 64, fs_base, FEAT_SEGMENTS, "int64", NULL),
    REG("gs_base", 64, gs_base, FEAT_SEGMENTS, "int64", NULL),
    SYS(k_gs_base, 64, "int64"),
    SYS(cr0, 64, "i386_cr0"),
    SYS(cr2, 64, "int64"),
    SYS(cr3, 64, "i386_cr3"),
    SYS(cr4, 64, "i386_cr4"),
    SYS(cr8, 64, "int64"),
    SYS(efer, 64, "i386_efer"),
};

/* gdb's i386 core + sse, then segments and system (control registers 32-bit, MSRs 64-bit). */
static const struct regs_reg regs_i386[] = {
    GPR("eax", 32, X86_RAX, "int32"),
    GPR("ecx", 32, X86_RCX, "int32"),
    GPR("edx", 32, X86_RDX, "int32"),
    GPR("ebx", 32, X86_RBX, "int32"),
    GPR("esp", 32, X86_RSP, "data_ptr"),
    GPR("ebp", 32, X86_RBP, "data_ptr"),
    GPR("esi", 32, X86_RSI, "int32"),
    GPR("edi", 32, X86_RDI, "int32"),
    REG("eip", 32, rip, FEAT_CORE, "code_ptr", NULL),
    REG("eflags", 32, rflags, FEAT_CORE, "i386_eflags", NULL),
    REGS_SEGS_X87,
    REGS_XMM0_7,
    REGS_MXCSR,
    /* Not org.gnu.gdb.i386.segments: gdb 13 asserts on that feature in an i386 description
     * without the AVX-512/PKRU features (its fs_base number lies past its register count). */
    REG("fs_base", 32, fs_base, FEAT_SYSTEM, "int32", NULL),
    REG("gs_base", 32, gs_base, FEAT_SYSTEM, "int32", NULL),
    SYS(k_gs_base, 64, "int64"),
    SYS(cr0, 32, "i386_cr0"),
    SYS(cr2, 32, "int32"),
    SYS(cr3, 32, "i386_cr3"),
    SYS(cr4, 32, "i386_cr4"),
    SYS(cr8, 32, "int32"),
    SYS(efer, 64, "i386_efer"),
};

#define ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Register numbers of pc, sp, fp in each table. */
enum { AMD64_RIP = 16, AMD64_RSP = 7, AMD64_RBP = 6, I386_EIP = 8, I386_ESP = 4, I386_EBP = 5 };

static const struct regs_layout regs_layouts[] = {
    [TARGET_ARCH_X86_64] = {"i386:x86-64", NULL, regs_amd64, ARRAY_LEN(regs_amd64), AMD64_RIP,
                            AMD64_RSP, AMD64_RBP},
    [TARGET_ARCH_I386] = {"i386", NULL, regs_i386, ARRAY_LEN(regs_i386), I386_EIP, I386_ESP,
                          I386_EBP},
    /* Same registers as i386; the architecture makes gdb disassemble 16-bit code. gdb's
     * default OS ABI (GNU/Linux) has no i8086 variant and would warn: say "none". */
    [TARGET_ARCH_I8086] = {"i8086", "none", regs_i386, ARRAY_LEN(regs_i386), I386_EIP, I386_ESP,
                           I386_EBP},
};

const struct regs_layout *regs_layout_get(enum target_arch arch)
{
    if ((unsigned)arch >= sizeof(regs_layouts) / sizeof(regs_layouts[0]))
        return NULL;
    return &regs_layouts[arch];
}

int regs_count(const struct regs_layout *l)
{
    return l->count;
}

size_t regs_size(const struct regs_layout *l, int n)
{
    if (n < 0 || n >= l->count)
        return 0;
    return l->regs[n].bitsize / 8u;
}

const char *regs_name(const struct regs_layout *l, int n)
{
    return n >= 0 && n < l->count ? l->regs[n].name : NULL;
}

size_t regs_g_size(const struct regs_layout *l)
{
    size_t total = 0;
    for (int i = 0; i < l->count; i++)
        total += regs_size(l, i);
    return total;
}

int regs_pc(const struct regs_layout *l)
{
    return l->pc;
}

int regs_sp(const struct regs_layout *l)
{
    return l->sp;
}

int regs_fp(const struct regs_layout *l)
{
    return l->fp;
}

static const uint8_t *reg_bytes(const struct regs_layout *l, const struct x86_regs *r, int n)
{
    return (const uint8_t *)r + l->regs[n].offset;
}

void regs_encode_g(const struct regs_layout *l, const struct x86_regs *r, char *hex)
{
    for (int i = 0; i < l->count; i++) {
        size_t n = regs_size(l, i);
        hex_encode(hex, reg_bytes(l, r, i), n);
        hex += 2 * n;
    }
}

bool regs_decode_g(const struct regs_layout *l, struct x86_regs *r, const char *hex, size_t len)
{
    struct x86_regs tmp = *r;
    if (len != 2 * regs_g_size(l))
        return false;
    for (int i = 0; i < l->count; i++) {
        size_t n = regs_size(l, i);
        if (!hex_decode((uint8_t *)&tmp + l->regs[i].offset, hex, 2 * n))
            return false;
        hex += 2 * n;
    }
    *r = tmp;
    return true;
}

bool regs_encode_p(const struct regs_layout *l, const struct x86_regs *r, int n, char *hex)
{
    size_t size = regs_size(l, n);
    if (!size)
        return false;
    hex_encode(hex, reg_bytes(l, r, n), size);
    return true;
}

bool regs_value(const struct regs_layout *l, const struct x86_regs *r, int n, uint64_t *value)
{
    size_t size = regs_size(l, n);
    if (!size)
        return false;
    *value = 0;
    memcpy(value, reg_bytes(l, r, n), size < sizeof(*value) ? size : sizeof(*value));
    return true;
}

bool regs_is_core(const struct regs_layout *l, int n)
{
    return regs_size(l, n) && l->regs[n].offset < offsetof(struct x86_regs, st);
}

bool regs_decode_p(const struct regs_layout *l, struct x86_regs *r, int n, const char *hex,
                   size_t len)
{
    size_t size = regs_size(l, n);
    uint8_t bytes[16];
    if (!size || len != 2 * size || size > sizeof(bytes) || !hex_decode(bytes, hex, len))
        return false;
    memcpy((uint8_t *)r + l->regs[n].offset, bytes, size);
    return true;
}

/* ---- target.xml ---- */

struct regs_flag_field {
    const char *name;
    unsigned char start, end;
};

struct regs_flags_type {
    const char *id;
    const struct regs_flag_field *fields;
    int count;
};

static const struct regs_flag_field eflags_fields[] = {
    {"CF", 0, 0},    {"", 1, 1},     {"PF", 2, 2},   {"AF", 4, 4},   {"ZF", 6, 6},
    {"SF", 7, 7},    {"TF", 8, 8},   {"IF", 9, 9},   {"DF", 10, 10}, {"OF", 11, 11},
    {"NT", 14, 14},  {"RF", 16, 16}, {"VM", 17, 17}, {"AC", 18, 18}, {"VIF", 19, 19},
    {"VIP", 20, 20}, {"ID", 21, 21},
};
static const struct regs_flag_field mxcsr_fields[] = {
    {"IE", 0, 0},   {"DE", 1, 1},   {"ZE", 2, 2},   {"OE", 3, 3},   {"UE", 4, 4},
    {"PE", 5, 5},   {"DAZ", 6, 6},  {"IM", 7, 7},   {"DM", 8, 8},   {"ZM", 9, 9},
    {"OM", 10, 10}, {"UM", 11, 11}, {"PM", 12, 12}, {"FZ", 15, 15},
};
static const struct regs_flag_field cr0_fields[] = {
    {"PE", 0, 0},   {"MP", 1, 1},   {"EM", 2, 2},   {"TS", 3, 3},   {"ET", 4, 4},   {"NE", 5, 5},
    {"WP", 16, 16}, {"AM", 18, 18}, {"NW", 29, 29}, {"CD", 30, 30}, {"PG", 31, 31},
};
static const struct regs_flag_field cr3_fields[] = {
    {"PCID", 0, 11},
    {"PDBR", 12, 63},
};
static const struct regs_flag_field cr4_fields[] = {
    {"VME", 0, 0},     {"PVI", 1, 1},       {"TSD", 2, 2},          {"DE", 3, 3},
    {"PSE", 4, 4},     {"PAE", 5, 5},       {"MCE", 6, 6},          {"PGE", 7, 7},
    {"PCE", 8, 8},     {"OSFXSR", 9, 9},    {"OSXMMEXCPT", 10, 10}, {"UMIP", 11, 11},
    {"LA57", 12, 12},  {"VMXE", 13, 13},    {"SMXE", 14, 14},       {"FSGSBASE", 16, 16},
    {"PCIDE", 17, 17}, {"OSXSAVE", 18, 18}, {"SMEP", 20, 20},       {"SMAP", 21, 21},
    {"PKE", 22, 22},
};
static const struct regs_flag_field efer_fields[] = {
    {"SCE", 0, 0},    {"LME", 8, 8},     {"LMA", 10, 10},   {"NXE", 11, 11},
    {"SVME", 12, 12}, {"LMSLE", 13, 13}, {"FFXSR", 14, 14}, {"TCE", 15, 15},
};

#define FLAGS(id, f)                                                                               \
    {                                                                                              \
        id, f, ARRAY_LEN(f)                                                                        \
    }
static const struct regs_flags_type regs_flags_types[] = {
    FLAGS("i386_eflags", eflags_fields), FLAGS("i386_mxcsr", mxcsr_fields),
    FLAGS("i386_cr0", cr0_fields),       FLAGS("i386_cr3", cr3_fields),
    FLAGS("i386_cr4", cr4_fields),       FLAGS("i386_efer", efer_fields),
};

/* The 128-bit vector union gdb's own sse descriptions use. */
static const char regs_vec128_xml[] = "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
                                      "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
                                      "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
                                      "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
                                      "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
                                      "<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
                                      "<union id=\"vec128\">\n"
                                      "<field name=\"v4_float\" type=\"v4f\"/>\n"
                                      "<field name=\"v2_double\" type=\"v2d\"/>\n"
                                      "<field name=\"v16_int8\" type=\"v16i8\"/>\n"
                                      "<field name=\"v8_int16\" type=\"v8i16\"/>\n"
                                      "<field name=\"v4_int32\" type=\"v4i32\"/>\n"
                                      "<field name=\"v2_int64\" type=\"v2i64\"/>\n"
                                      "<field name=\"uint128\" type=\"uint128\"/>\n"
                                      "</union>\n";

/* A type used by register i is defined by its first user within the feature. */
static bool regs_first_type_use(const struct regs_layout *l, int i)
{
    for (int j = 0; j < i; j++)
        if (l->regs[j].feature == l->regs[i].feature &&
            strcmp(l->regs[j].type, l->regs[i].type) == 0)
            return false;
    return true;
}

static void regs_xml_type(FILE *f, const struct regs_reg *reg)
{
    unsigned bits = reg->bitsize;
    if (strcmp(reg->type, "vec128") == 0) {
        fputs(regs_vec128_xml, f);
        return;
    }
    for (int t = 0; t < ARRAY_LEN(regs_flags_types); t++) {
        const struct regs_flags_type *ft = &regs_flags_types[t];
        if (strcmp(ft->id, reg->type) != 0)
            continue;
        fprintf(f, "<flags id=\"%s\" size=\"%u\">\n", ft->id, bits / 8);
        for (int k = 0; k < ft->count; k++) {
            const struct regs_flag_field *fl = &ft->fields[k];
            if (fl->start >= bits)
                continue;
            unsigned end = fl->end < bits ? fl->end : bits - 1;
            fprintf(f, "<field name=\"%s\" start=\"%u\" end=\"%u\"/>\n", fl->name, fl->start, end);
        }
        fputs("</flags>\n", f);
    }
}

static bool regs_feature_used(const struct regs_layout *l, enum regs_feature feat)
{
    for (int i = 0; i < l->count; i++)
        if (l->regs[i].feature == feat)
            return true;
    return false;
}

char *regs_target_xml(const struct regs_layout *l, size_t *len)
{
    char *xml = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&xml, &size);
    if (!f)
        return NULL;
    fprintf(f,
            "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
            "<target version=\"1.0\">\n<architecture>%s</architecture>\n",
            l->architecture);
    if (l->osabi)
        fprintf(f, "<osabi>%s</osabi>\n", l->osabi);
    for (int feat = 0; feat < FEAT_COUNT; feat++) {
        if (!regs_feature_used(l, (enum regs_feature)feat))
            continue; /* gdb reacts to a feature's presence, even empty */
        fprintf(f, "<feature name=\"%s\">\n", regs_feature_names[feat]);
        for (int i = 0; i < l->count; i++) {
            const struct regs_reg *reg = &l->regs[i];
            if (reg->feature != (enum regs_feature)feat)
                continue;
            if (regs_first_type_use(l, i))
                regs_xml_type(f, reg);
            fprintf(f, "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\" regnum=\"%d\"", reg->name,
                    reg->bitsize, reg->type, i);
            if (reg->group)
                fprintf(f, " group=\"%s\"", reg->group);
            fputs("/>\n", f);
        }
        fputs("</feature>\n", f);
    }
    fputs("</target>\n", f);
    if (fclose(f) != 0) {
        free(xml);
        return NULL;
    }
    *len = size;
    return xml;
}
