/* bench/rsp_reply.h — what the client reads out of replies: stop replies (signal, reason,
 * thread, an expedited pc), qSupported features, hex and binary payloads. Pure functions. */
#ifndef KVMSTUB_BENCH_RSP_REPLY_H
#define KVMSTUB_BENCH_RSP_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RSP_SIGNAL_INT  2
#define RSP_SIGNAL_TRAP 5
#define RSP_THREAD_MAX  32

struct stop_reply {
    char kind;  /* 'T' or 'S' (stopped), 'W' (exited), 'X' (terminated) */
    int signal; /* or the exit status for 'W' */
    bool swbreak, hwbreak;
    char thread[RSP_THREAD_MAX]; /* "01", "p1.1"; empty when not reported */
    bool has_pc;
    uint64_t pc;
};

/* Parse a stop reply; the pc is taken from an expedited register pc_regnum (pc_size bytes,
 * little-endian) when there is one. false for anything that is not a stop reply. */
bool stop_reply_parse(const char *p, size_t len, int pc_regnum, unsigned pc_size,
                      struct stop_reply *out);

/* "Exx" (and "E.text") replies. */
bool reply_is_error(const char *p, size_t len);

/* qSupported reply: is "NAME+" there; the value of "NAME=HEX" (0 when absent). */
bool features_has(const char *reply, const char *name);
uint64_t features_hex_value(const char *reply, const char *name);

/* A little-endian register value of n bytes from 2n hex digits; and the reverse (writes 2n
 * digits and a NUL). */
bool hex_le_decode(const char *hex, unsigned n, uint64_t *value);
void hex_le_encode(char *out, uint64_t value, unsigned n);

/* len hex digits into len/2 bytes; false on a bad digit or an odd length. */
bool hex_to_bytes(const char *hex, size_t len, uint8_t *out);

/* Undo the `}` escapes of a binary payload of len characters into at most cap bytes at dst;
 * returns the byte count, or SIZE_MAX when they do not fit. */
size_t binary_decode(const char *src, size_t len, uint8_t *dst, size_t cap);

#endif
