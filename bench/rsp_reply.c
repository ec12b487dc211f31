/* bench/rsp_reply.c — parsing replies. Implements rsp_reply.h. */
#include "bench/rsp_reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RSP_ESCAPE     '}'
#define RSP_ESCAPE_XOR 0x20

/* Hex digit values, -1 for anything else. */
static int8_t nibble_table[256];
static bool nibble_table_ready;

static void nibble_table_init(void)
{
    memset(nibble_table, -1, sizeof(nibble_table));
    for (int i = 0; i < 10; i++)
        nibble_table['0' + i] = (int8_t)i;
    for (int i = 0; i < 6; i++)
        nibble_table['a' + i] = nibble_table['A' + i] = (int8_t)(10 + i);
    nibble_table_ready = true;
}

static int nibble(char ch)
{
    if (!nibble_table_ready)
        nibble_table_init();
    return nibble_table[(uint8_t)ch];
}

static bool hex_byte(const char *p, uint8_t *b)
{
    int hi = nibble(p[0]), lo = hi < 0 ? -1 : nibble(p[1]);
    if (lo < 0)
        return false;
    *b = (uint8_t)(hi << 4 | lo);
    return true;
}

/* Two hex digits (the first in the low byte) to their byte, -1 for anything else: one lookup
 * per byte, as memory replies are megabytes of hex. */
static int16_t pair_table[1 << 16];
static bool pair_table_ready;

static void pair_table_init(void)
{
    if (!nibble_table_ready)
        nibble_table_init();
    for (unsigned k = 0; k < (1u << 16); k++) {
        int hi = nibble_table[k & 0xFF], lo = nibble_table[k >> 8];
        pair_table[k] = (int16_t)(hi < 0 || lo < 0 ? -1 : hi << 4 | lo);
    }
    pair_table_ready = true;
}

bool hex_to_bytes(const char *hex, size_t len, uint8_t *out)
{
    const uint8_t *h = (const uint8_t *)hex;
    int bad = 0;
    if (len % 2)
        return false;
    if (!pair_table_ready)
        pair_table_init();
    for (size_t i = 0; i < len / 2; i++) {
        int v = pair_table[h[2 * i] | h[2 * i + 1] << 8];
        bad |= v;
        out[i] = (uint8_t)v;
    }
    return bad >= 0;
}

bool hex_le_decode(const char *hex, unsigned n, uint64_t *value)
{
    uint64_t v = 0;
    if (n > sizeof(v))
        return false;
    for (unsigned i = 0; i < n; i++) {
        uint8_t b;
        if (!hex_byte(hex + 2 * i, &b))
            return false;
        v |= (uint64_t)b << (8 * i);
    }
    *value = v;
    return true;
}

void hex_le_encode(char *out, uint64_t value, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x",
                 i < sizeof(value) ? (unsigned)(value >> (8 * i)) & 0xff : 0);
}

bool reply_is_error(const char *p, size_t len)
{
    return len >= 3 && p[0] == 'E' &&
           ((nibble(p[1]) >= 0 && nibble(p[2]) >= 0 && len == 3) || p[1] == '.');
}

/* Parse "HEX" up to a delimiter into v. */
static bool parse_hex_until(const char **p, const char *end, char delim, uint64_t *v)
{
    const char *q = *p;
    uint64_t x = 0;
    while (q < end && *q != delim) {
        int d = nibble(*q++);
        if (d < 0)
            return false;
        x = x << 4 | (uint64_t)d;
    }
    if (q == *p)
        return false;
    *p = q;
    *v = x;
    return true;
}

bool stop_reply_parse(const char *p, size_t len, int pc_regnum, unsigned pc_size,
                      struct stop_reply *out)
{
    const char *end = p + len;
    uint8_t sig;
    memset(out, 0, sizeof(*out));
    if (len < 3 || !strchr("TSWX", p[0]) || !hex_byte(p + 1, &sig))
        return false;
    out->kind = p[0];
    out->signal = sig;
    if (p[0] != 'T')
        return true;
    for (const char *q = p + 3; q < end;) {
        const char *colon = memchr(q, ':', (size_t)(end - q));
        const char *semi = colon ? memchr(colon, ';', (size_t)(end - colon)) : NULL;
        if (!colon || !semi)
            return false;
        size_t klen = (size_t)(colon - q), vlen = (size_t)(semi - colon - 1);
        const char *val = colon + 1;
        uint64_t regnum;
        const char *k = q;
        if (klen == 7 && memcmp(q, "swbreak", 7) == 0) {
            out->swbreak = true;
        } else if (klen == 7 && memcmp(q, "hwbreak", 7) == 0) {
            out->hwbreak = true;
        } else if (klen == 6 && memcmp(q, "thread", 6) == 0) {
            if (vlen >= sizeof(out->thread))
                return false;
            memcpy(out->thread, val, vlen);
            out->thread[vlen] = '\0';
        } else if (parse_hex_until(&k, colon, ':', &regnum) && k == colon &&
                   (int)regnum == pc_regnum && vlen == 2 * pc_size) {
            out->has_pc = hex_le_decode(val, pc_size, &out->pc);
        }
        q = semi + 1;
    }
    return true;
}

/* The position of feature "name" followed by one of the terminators in qSupported's reply. */
static const char *features_find(const char *reply, const char *name, const char *terms)
{
    size_t n = strlen(name);
    for (const char *p = reply; p && *p; p = strchr(p, ';'), p = p ? p + 1 : NULL)
        if (strncmp(p, name, n) == 0 && p[n] && strchr(terms, p[n]))
            return p + n;
    return NULL;
}

bool features_has(const char *reply, const char *name)
{
    const char *f = features_find(reply, name, "+");
    return f != NULL;
}

uint64_t features_hex_value(const char *reply, const char *name)
{
    const char *f = features_find(reply, name, "=");
    return f ? strtoull(f + 1, NULL, 16) : 0;
}

size_t binary_decode(const char *src, size_t len, uint8_t *dst, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++, o++) {
        if (o == cap)
            return SIZE_MAX;
        if (src[i] == RSP_ESCAPE && i + 1 < len)
            dst[o] = (uint8_t)(src[++i] ^ RSP_ESCAPE_XOR);
        else
            dst[o] = (uint8_t)src[i];
    }
    return o;
}
