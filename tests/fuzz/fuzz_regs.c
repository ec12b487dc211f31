/* tests/fuzz/fuzz_regs.c — libFuzzer target: register layouts, target.xml, g/G/p/P
 * conversion and the hex layer under them, with their contracts as oracles.
 *
 * Input: byte 0 the architecture (values past enum target_arch must be refused), byte 1 the
 * operation, bytes 2-3 a register number (signed, little-endian), then hex text.
 *   op 0: G — decode all registers; on success 'g' gives the same digits back (lowercase) and
 *         no byte of struct x86_regs outside the layout changed; on failure nothing changed
 *   op 1: P — decode one register; on success 'p' gives the digits back and only bytes of that
 *         register changed; on failure nothing changed
 *   op 2: p — encode any register number; refused exactly when the layout has no such register
 *   op 3: target.xml — well-formed enough for gdb: every register once, in order, with the
 *         layout's name and bit size, and the sizes add up to the 'g' packet
 *   op 4: hex numbers — hex_parse_u64 agrees with strtoull and hex_format_u64 round-trips
 */
#include "stub/hex.h"
#include "stub/regs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARCH_COUNT 3
#define HEX_MAX    4096

enum fuzz_op { OP_G, OP_P, OP_ENCODE_P, OP_XML, OP_NUMBER, OP_COUNT };

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_regs: %s\n", what);
        abort();
    }
}

static void fill_pattern(struct x86_regs *r)
{
    uint8_t *b = (uint8_t *)r;
    for (size_t i = 0; i < sizeof(*r); i++)
        b[i] = (uint8_t)(i * 7 + 3);
}

/* Bytes of struct x86_regs that some register of the layout covers (found by writing each
 * register through P, the public way). */
static void layout_coverage(const struct regs_layout *l, bool covered[sizeof(struct x86_regs)])
{
    char hex[2 * 16];
    memset(covered, 0, sizeof(struct x86_regs));
    for (int n = 0; n < regs_count(l); n++) {
        struct x86_regs a, b;
        size_t size = regs_size(l, n);
        check(size > 0 && size <= 16, "register size out of range");
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        memset(hex, 'f', 2 * size);
        check(regs_decode_p(l, &b, n, hex, 2 * size), "P of all ones refused");
        const uint8_t *pa = (const uint8_t *)&a, *pb = (const uint8_t *)&b;
        size_t changed = 0;
        for (size_t i = 0; i < sizeof(a); i++)
            if (pa[i] != pb[i]) {
                covered[i] = true;
                changed++;
            }
        check(changed == size, "P changed a different number of bytes than the register has");
    }
}

static bool hex_equal_lower(const char *enc, const char *in, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if (enc[i] != c)
            return false;
    }
    return true;
}

static void op_g(const struct regs_layout *l, const char *hex, size_t len)
{
    static bool covered[sizeof(struct x86_regs)];
    static char enc[2 * sizeof(struct x86_regs) + 1];
    struct x86_regs before, r;
    fill_pattern(&before);
    r = before;
    layout_coverage(l, covered);
    check(2 * regs_g_size(l) < sizeof(enc), "g larger than struct x86_regs");
    if (!regs_decode_g(l, &r, hex, len)) {
        check(memcmp(&r, &before, sizeof(r)) == 0, "failed G changed registers");
        return;
    }
    check(len == 2 * regs_g_size(l), "G accepted a wrong length");
    regs_encode_g(l, &r, enc);
    check(hex_equal_lower(enc, hex, len), "g does not give back what G wrote");
    const uint8_t *pb = (const uint8_t *)&before, *pr = (const uint8_t *)&r;
    for (size_t i = 0; i < sizeof(r); i++)
        check(covered[i] || pb[i] == pr[i], "G wrote outside the layout's registers");
}

static void op_p(const struct regs_layout *l, int n, const char *hex, size_t len)
{
    char enc[2 * 16];
    struct x86_regs before, r;
    fill_pattern(&before);
    r = before;
    if (!regs_decode_p(l, &r, n, hex, len)) {
        check(memcmp(&r, &before, sizeof(r)) == 0, "failed P changed registers");
        return;
    }
    size_t size = regs_size(l, n);
    check(size > 0 && len == 2 * size, "P accepted a wrong register or length");
    check(regs_encode_p(l, &r, n, enc), "p refused a register P accepted");
    check(hex_equal_lower(enc, hex, len), "p does not give back what P wrote");
    const uint8_t *pb = (const uint8_t *)&before, *pr = (const uint8_t *)&r;
    size_t first = sizeof(r), last = 0;
    for (size_t i = 0; i < sizeof(r); i++)
        if (pb[i] != pr[i]) {
            first = i < first ? i : first;
            last = i;
        }
    check(first == sizeof(r) || last - first < size, "P changed bytes beyond its register");
}

static void op_encode_p(const struct regs_layout *l, int n)
{
    char enc[2 * 16 + 1] = {0};
    struct x86_regs r;
    fill_pattern(&r);
    bool ok = regs_encode_p(l, &r, n, enc);
    check(ok == (regs_size(l, n) != 0), "p and regs_size disagree");
    check(ok == (regs_name(l, n) != NULL), "p and regs_name disagree");
    check(ok == (n >= 0 && n < regs_count(l)), "p and regs_count disagree");
    check(!ok || strlen(enc) == 2 * regs_size(l, n), "p wrote the wrong number of digits");
}

/* The value of attribute name="..." in the tag starting at p, copied to out. */
static bool xml_attr(const char *p, const char *name, char *out, size_t cap)
{
    const char *end = strchr(p, '>');
    char key[32];
    snprintf(key, sizeof(key), " %s=\"", name);
    const char *a = strstr(p, key);
    if (!a || !end || a > end)
        return false;
    a += strlen(key);
    const char *q = strchr(a, '"');
    if (!q || q > end || (size_t)(q - a) >= cap)
        return false;
    memcpy(out, a, (size_t)(q - a));
    out[q - a] = '\0';
    return true;
}

static void op_xml(const struct regs_layout *l)
{
    size_t len = 0;
    char *xml = regs_target_xml(l, &len);
    check(xml != NULL, "no target.xml");
    check(strlen(xml) == len, "target.xml length is wrong");
    check(strncmp(xml, "<?xml", 5) == 0 && strstr(xml, "</target>\n") == xml + len - 10,
          "target.xml is not one <target> document");
    size_t bits = 0;
    int n = 0;
    const char *p = xml;
    while ((p = strstr(p, "<reg ")) != NULL) {
        char name[64], bitsize[16], regnum[16];
        check(xml_attr(p, "name", name, sizeof(name)) &&
                  xml_attr(p, "bitsize", bitsize, sizeof(bitsize)) &&
                  xml_attr(p, "regnum", regnum, sizeof(regnum)),
              "a <reg> lacks name, bitsize or regnum");
        check(atoi(regnum) == n, "registers are not numbered in order");
        check(regs_name(l, n) && strcmp(name, regs_name(l, n)) == 0, "register name differs");
        check((size_t)atoi(bitsize) == 8 * regs_size(l, n), "register size differs");
        bits += (size_t)atoi(bitsize);
        n++;
        p++;
    }
    check(n == regs_count(l), "target.xml and the layout have different register counts");
    check(bits == 8 * regs_g_size(l), "register sizes do not add up to the g packet");
    int opens = 0, closes = 0;
    for (p = xml; (p = strstr(p, "<feature ")) != NULL; p++)
        opens++;
    for (p = xml; (p = strstr(p, "</feature>")) != NULL; p++)
        closes++;
    check(opens == closes && opens > 0, "unbalanced <feature> elements");
    free(xml);
}

static void op_number(const char *hex, size_t len)
{
    const char *p = hex, *end = hex + len;
    uint64_t v;
    if (!hex_parse_u64(&p, end, &v)) {
        check(p == hex, "a failed parse moved the cursor");
        return;
    }
    size_t digits = (size_t)(p - hex);
    check(digits > 0 && digits <= len, "parse consumed nothing or too much");
    check(p == end || hex_digit_value(*p) < 0, "parse stopped before a digit");
    char copy[HEX_MAX + 1];
    memcpy(copy, hex, digits);
    copy[digits] = '\0';
    check(strtoull(copy, NULL, 16) == v, "hex_parse_u64 disagrees with strtoull");
    char out[HEX_U64_MAX_DIGITS];
    size_t n = hex_format_u64(out, v);
    const char *q = out;
    uint64_t back;
    check(n >= 1 && n <= HEX_U64_MAX_DIGITS, "formatted length out of range");
    check(hex_parse_u64(&q, out + n, &back) && back == v && q == out + n,
          "hex_format_u64 does not round-trip");
    check(n == 1 || out[0] != '0', "hex_format_u64 is not minimal");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char hex[HEX_MAX + 1];
    if (size < 4)
        return 0;
    const struct regs_layout *l = regs_layout_get((enum target_arch)data[0]);
    check((l != NULL) == (data[0] < ARCH_COUNT), "regs_layout_get and the architectures differ");
    if (!l)
        return 0;
    enum fuzz_op op = (enum fuzz_op)(data[1] % OP_COUNT);
    int n = (int16_t)(data[2] | data[3] << 8);
    size_t len = size - 4 < HEX_MAX ? size - 4 : HEX_MAX;
    memcpy(hex, data + 4, len);
    hex[len] = '\0';
    switch (op) {
    case OP_G: op_g(l, hex, len); break;
    case OP_P: op_p(l, n, hex, len); break;
    case OP_ENCODE_P: op_encode_p(l, n); break;
    case OP_XML: op_xml(l); break;
    case OP_NUMBER: op_number(hex, len); break;
    case OP_COUNT: break;
    }
    return 0;
}
