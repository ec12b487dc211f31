/* stub/cmd_regs.c — register packets: g and G (all registers), p and P (one register). */
#include "stub/session_internal.h"

static int regs_thread(const struct session *s)
{
    return session_thread_resolve(s, s->g_thread);
}

void cmd_regs_read_all(struct session *s, const char *args, size_t len, int arg)
{
    struct x86_regs r;
    int rc = session_regs_read(s, regs_thread(s), &r);
    if (rc < 0) {
        session_reply_error(s, -rc);
        return;
    }
    packet_begin(&s->out);
    char *hex = packet_put_space(&s->out, 2 * regs_g_size(s->layout));
    if (hex)
        regs_encode_g(s->layout, &r, hex);
    packet_end(&s->out);
}

/* Read the registers, let `change` edit them, write them all back. */
static void regs_update(struct session *s,
                        bool (*change)(struct session *, struct x86_regs *, const char *, size_t),
                        const char *args, size_t len)
{
    struct x86_regs r;
    int thread = regs_thread(s);
    int rc = session_regs_read(s, thread, &r);
    if (rc < 0) {
        session_reply_error(s, -rc);
        return;
    }
    if (!change(s, &r, args, len)) {
        session_reply_error(s, EINVAL);
        return;
    }
    rc = session_regs_write(s, thread, &r);
    if (rc < 0)
        session_reply_error(s, -rc);
    else
        session_reply_ok(s);
}

static bool regs_change_all(struct session *s, struct x86_regs *r, const char *args, size_t len)
{
    return regs_decode_g(s->layout, r, args, len);
}

void cmd_regs_write_all(struct session *s, const char *args, size_t len, int arg)
{
    regs_update(s, regs_change_all, args, len);
}

/* "N" for p, "N=HEX" for P: the register number. */
static bool regs_parse_number(const char **p, const char *end, int *n)
{
    uint64_t v;
    if (!hex_parse_u64(p, end, &v) || v > INT32_MAX)
        return false;
    *n = (int)v;
    return true;
}

void cmd_regs_read_one(struct session *s, const char *args, size_t len, int arg)
{
    const char *p = args, *end = args + len;
    int n;
    struct x86_regs r;
    if (!regs_parse_number(&p, end, &n) || p != end || !regs_size(s->layout, n)) {
        session_reply_error(s, EINVAL);
        return;
    }
    int rc = session_regs_read(s, regs_thread(s), &r);
    if (rc < 0) {
        session_reply_error(s, -rc);
        return;
    }
    packet_begin(&s->out);
    char *hex = packet_put_space(&s->out, 2 * regs_size(s->layout, n));
    if (hex)
        regs_encode_p(s->layout, &r, n, hex);
    packet_end(&s->out);
}

static bool regs_change_one(struct session *s, struct x86_regs *r, const char *args, size_t len)
{
    const char *p = args, *end = args + len;
    int n;
    if (!regs_parse_number(&p, end, &n) || p == end || *p++ != '=')
        return false;
    return regs_decode_p(s->layout, r, n, p, (size_t)(end - p));
}

void cmd_regs_write_one(struct session *s, const char *args, size_t len, int arg)
{
    regs_update(s, regs_change_one, args, len);
}
