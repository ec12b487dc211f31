/* stub/hex.h — hex digits and numbers as the GDB remote protocol writes them.
 *
 * Encoding is table driven (one 2-byte lookup per byte); decoding rejects anything that is
 * not a hex digit. Nothing here allocates or keeps state.
 */
#ifndef KVMSTUB_STUB_HEX_H
#define KVMSTUB_STUB_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest hex form of a uint64_t. */
#define HEX_U64_MAX_DIGITS 16

/* The value of one hex digit (either case), or -1. */
int hex_digit_value(char c);

/* Write 2*n lowercase hex digits for n bytes (no terminator). */
void hex_encode(char *dst, const void *src, size_t n);
/* The same, returning the sum of the digits written (for an RSP checksum), modulo 256. */
uint8_t hex_encode_sum(char *dst, const void *src, size_t n);

/* Decode nchars hex digits (must be even) into nchars/2 bytes. False on any non-digit. */
bool hex_decode(void *dst, const char *src, size_t nchars);

/* Parse a big-endian hex number at *p (stops before `end` or the first non-digit), at least
 * one digit and no more than fits a uint64_t. Advances *p past the digits. */
bool hex_parse_u64(const char **p, const char *end, uint64_t *out);

/* Write v in minimal lowercase hex ("0" for zero), no terminator; returns the length. */
size_t hex_format_u64(char *dst, uint64_t v);

#endif
