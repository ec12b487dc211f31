/* stub/hex.c — hex encoding, decoding and number parsing for the protocol engine. */
#include "stub/hex.h"

#include <string.h>

/* All 256 byte values as two lowercase hex digits, so encoding a byte is one 2-byte copy. */
#define HEX_ROW(h)                                                                                 \
    h "0" h "1" h "2" h "3" h "4" h "5" h "6" h "7" h "8" h "9" h "a" h "b" h "c" h "d" h "e" h "f"
static const char hex_pairs[] = HEX_ROW("0") HEX_ROW("1") HEX_ROW("2") HEX_ROW("3") HEX_ROW("4")
    HEX_ROW("5") HEX_ROW("6") HEX_ROW("7") HEX_ROW("8") HEX_ROW("9") HEX_ROW("a") HEX_ROW("b")
        HEX_ROW("c") HEX_ROW("d") HEX_ROW("e") HEX_ROW("f");

/* Digit values; every other byte maps to -1 (stored as value+1 so the default 0 means "none"). */
static const int8_t hex_values_plus1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

int hex_digit_value(char c)
{
    return hex_values_plus1[(uint8_t)c] - 1;
}

void hex_encode(char *dst, const void *src, size_t n)
{
    const uint8_t *s = src;
    for (size_t i = 0; i < n; i++)
        memcpy(dst + 2 * i, &hex_pairs[2 * s[i]], 2);
}

uint8_t hex_encode_sum(char *dst, const void *src, size_t n)
{
    const uint8_t *s = src;
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++) {
        uint16_t pair;
        memcpy(&pair, &hex_pairs[2 * s[i]], 2);
        memcpy(dst + 2 * i, &pair, 2);
        sum += (pair & 0xffu) + (pair >> 8);
    }
    return (uint8_t)sum;
}

bool hex_decode(void *dst, const char *src, size_t nchars)
{
    uint8_t *d = dst;
    if (nchars % 2)
        return false;
    for (size_t i = 0; i < nchars / 2; i++) {
        int hi = hex_digit_value(src[2 * i]), lo = hex_digit_value(src[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        d[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

bool hex_parse_u64(const char **p, const char *end, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    int digits = 0;
    while (s < end) {
        int d = hex_digit_value(*s);
        if (d < 0)
            break;
        if (v >> 60)
            return false; /* one more digit would overflow */
        v = v << 4 | (uint64_t)d;
        digits++;
        s++;
    }
    if (digits == 0)
        return false;
    *p = s;
    *out = v;
    return true;
}

size_t hex_format_u64(char *dst, uint64_t v)
{
    size_t n = 1;
    while (n < HEX_U64_MAX_DIGITS && (v >> (4 * n)))
        n++;
    for (size_t i = 0; i < n; i++)
        dst[i] = hex_pairs[2 * ((v >> (4 * (n - 1 - i))) & 0xf) + 1];
    return n;
}
