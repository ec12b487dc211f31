/* stub/cmd_mem.c — memory packets: m and x (read, hex or binary), M and X (write). */
#include "stub/session_internal.h"

#include <stdio.h>
#include <string.h>

/* The reply prefix of a binary read ('x'), as the GDB manual specifies it. */
#define MEM_BINARY_REPLY_PREFIX "b"

static int mem_thread(const struct session *s)
{
    return session_thread_resolve(s, s->g_thread);
}

/* m ADDR,LEN  /  x ADDR,LEN: the bytes readable from ADDR, up to LEN (and up to the packet
 * size); a read that stops at an unmapped page returns what it got. */
void cmd_mem_read(struct session *s, const struct cmd_args *a, int encoding)
{
    uint64_t addr = a->v[0].u, size = a->v[1].u;
    if (size > SESSION_PACKET_SIZE)
        size = SESSION_PACKET_SIZE;
    if (addr + size < addr)
        size = -addr; /* stop at the top of the address space */
    long got = 0;
    if (size) {
        got = s->target.ops->read_mem(s->target.ctx, mem_thread(s), addr, s->scratch, size);
        if (got <= 0) {
            session_reply_error(s, got < 0 ? (int)-got : EFAULT);
            return;
        }
        if ((uint64_t)got > size)
            got = (long)size;
    }
    packet_begin(&s->out);
    if (encoding == MEM_BINARY) {
        packet_put_str(&s->out, MEM_BINARY_REPLY_PREFIX);
        packet_put_binary(&s->out, s->scratch, (size_t)got);
    } else {
        packet_put_hex(&s->out, s->scratch, (size_t)got);
    }
    packet_end(&s->out);
}

/* M ADDR,LEN:HEX  /  X ADDR,LEN:BINARY: the bytes, decoded by the schema (M) or with the
 * framing's escapes undone (X). */
void cmd_mem_write(struct session *s, const struct cmd_args *a, int encoding)
{
    (void)encoding;
    uint64_t addr = a->v[0].u, size = a->v[1].u;
    const void *data = a->v[2].str;
    if (a->v[2].len != size) {
        session_reply_error(s, EINVAL);
        return;
    }
    if (size == 0) {
        session_reply_ok(s); /* gdb probes X support with "X<addr>,0:" */
        return;
    }
    long put = s->target.ops->write_mem(s->target.ctx, mem_thread(s), addr, data, size);
    if (put < 0)
        session_reply_error(s, (int)-put);
    else if ((uint64_t)put != size)
        session_reply_error(s, EFAULT);
    else
        session_reply_ok(s);
}

/* qSearch:memory:ADDR;LEN;PATTERN (gdb's `find`): the first address in [ADDR, ADDR + LEN) where
 * PATTERN (binary, escapes undone) starts. Memory is read in packet-sized chunks overlapping by
 * the pattern's length; a page that cannot be read is skipped whole. "1,ADDR" or "0". */
#define SEARCH_SKIP      0x1000ULL /* the granularity of what cannot be read: a page */
#define SEARCH_MAX_READS (1 << 20) /* a bound on the work: up to 4 GiB that cannot be read */

void cmd_mem_search(struct session *s, const struct cmd_args *a, int arg)
{
    uint64_t addr = a->v[0].u, len = a->v[1].u;
    const uint8_t *pat = (const uint8_t *)a->v[2].str;
    size_t plen = a->v[2].len;
    if (plen == 0 || plen > SESSION_PACKET_SIZE / 2) {
        session_reply_error(s, EINVAL);
        return;
    }
    if (len > UINT64_MAX - addr)
        len = UINT64_MAX - addr;
    uint64_t end = addr + len, at = addr;
    for (long reads = 0; at < end && end - at >= plen; reads++) {
        if (reads == SEARCH_MAX_READS) {
            session_reply_error(s, E2BIG); /* too much to look through: narrow the range */
            return;
        }
        size_t want = end - at < SESSION_PACKET_SIZE ? (size_t)(end - at) : SESSION_PACKET_SIZE;
        long got = s->target.ops->read_mem(s->target.ctx, mem_thread(s), at, s->scratch, want);
        if (got <= 0) {
            uint64_t next = (at | (SEARCH_SKIP - 1)) + 1; /* the next page */
            if (next <= at)
                break;
            at = next;
            continue;
        }
        for (size_t i = 0; i + plen <= (size_t)got; i++) {
            if (s->scratch[i] == pat[0] && memcmp(s->scratch + i, pat, plen) == 0) {
                char reply[32];
                snprintf(reply, sizeof(reply), "1,%llx", (unsigned long long)(at + i));
                session_reply_str(s, reply);
                return;
            }
        }
        /* Go on where a match could still start; a short read ran into an unreadable page. */
        uint64_t advance = (size_t)got >= plen ? (size_t)got - plen + 1 : (uint64_t)got;
        at += advance ? advance : 1;
    }
    session_reply_str(s, "0");
}
