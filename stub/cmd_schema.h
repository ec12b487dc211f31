/* stub/cmd_schema.h — the parameter schemas of the packet table (stub/session.c): a packet's
 * arguments are parsed once, by the engine, before its handler runs (QEMU's gdbstub does the
 * same), so handlers neither parse nor reply E16 for malformed input themselves.
 *
 * A schema is a string:
 *   x      a hexadecimal number (1 to 16 digits)                        -> arg.u
 *   t      a thread id: hex, "-1" (all) or "0" (any)                    -> arg.tid
 *   c      any one character                                            -> arg.u
 *   s      text: up to the character that follows in the schema, or to the end of the packet
 *          (may be empty; may hold binary bytes); before T, up to LLDB's thread suffix
 *                                                                       -> arg.str, arg.len
 *   h      hexadecimal-encoded bytes, up to the character that follows in the schema or to the
 *          end (an even number of hex digits, may be empty), decoded into the caller's buffer
 *          (cmd_args.buf: at most cmd_args.cap - 1 bytes in all, each one NUL-terminated)
 *                                                                       -> arg.str, arg.len
 *   T      LLDB's thread suffix ";thread:ID;" (QThreadSuffixSupported; the last ';' may be
 *          missing), optional by itself: absent when the packet does not go on with it -> arg.tid
 *   [...]  an optional group: taken when the packet goes on at that point, else its arguments
 *          are absent (arg.present false)
 *   other  that character, literally
 * Arguments are numbered in the order they appear in the schema. The whole packet must match.
 */
#ifndef KVMSTUB_STUB_CMD_SCHEMA_H
#define KVMSTUB_STUB_CMD_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CMD_MAX_ARGS 6

struct cmd_arg {
    bool present;
    uint64_t u;
    int tid;
    const char *str;
    size_t len;
};

struct cmd_args {
    int n;
    struct cmd_arg v[CMD_MAX_ARGS];
    uint8_t *buf; /* set by the caller: where `h` arguments are decoded to (NULL: none fit) */
    size_t cap;
};

/* A thread id at *p: hex, "-1" (all, -1) or "0" (any); advances *p. */
bool cmd_parse_thread(const char **p, const char *end, int *tid);
/* Parse pkt[0..len) against schema (out->buf and out->cap set). False when it does not match,
 * or an `h` argument does not fit the buffer. */
bool cmd_schema_parse(const char *schema, const char *pkt, size_t len, struct cmd_args *out);

#endif
