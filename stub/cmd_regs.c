/* stub/cmd_regs.c — register packets: g and G (all registers), p and P (one register), each
 * for Hg's thread or the one LLDB's thread suffix names. */
#include "stub/session_internal.h"

/* The thread the packet is for: its LLDB thread suffix (argument `suffix`, schema T) when it
 * has one, else Hg's. 0 for a suffix that names no thread. */
static int regs_thread(const struct session *s, const struct cmd_args *a, int suffix)
{
    const struct cmd_arg *t = &a->v[suffix];
    if (!t->present)
        return session_thread_resolve(s, s->g_thread);
    return session_thread_valid(s, t->tid) ? t->tid : 0;
}

void cmd_regs_read_all(struct session *s, const struct cmd_args *a, int arg)
{
    struct x86_regs r;
    int thread = regs_thread(s, a, 0);
    int rc = thread ? session_regs_read(s, thread, &r) : -EINVAL;
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
                        bool (*change)(struct session *, struct x86_regs *,
                                       const struct cmd_args *),
                        const struct cmd_args *a, int suffix)
{
    struct x86_regs r;
    int thread = regs_thread(s, a, suffix);
    int rc = thread ? session_regs_read(s, thread, &r) : -EINVAL;
    if (rc < 0) {
        session_reply_error(s, -rc);
        return;
    }
    if (!change(s, &r, a)) {
        session_reply_error(s, EINVAL);
        return;
    }
    rc = session_regs_write(s, thread, &r);
    if (rc < 0)
        session_reply_error(s, -rc);
    else
        session_reply_ok(s);
}

static bool regs_change_all(struct session *s, struct x86_regs *r, const struct cmd_args *a)
{
    return regs_decode_g(s->layout, r, a->v[0].str, a->v[0].len);
}

void cmd_regs_write_all(struct session *s, const struct cmd_args *a, int arg)
{
    regs_update(s, regs_change_all, a, 1);
}

/* The register number of p N / P N=HEX, when the layout has it; -1 otherwise. */
static int regs_number(const struct session *s, const struct cmd_args *a)
{
    uint64_t n = a->v[0].u;
    return n <= INT32_MAX && regs_size(s->layout, (int)n) ? (int)n : -1;
}

void cmd_regs_read_one(struct session *s, const struct cmd_args *a, int arg)
{
    int n = regs_number(s, a);
    struct x86_regs r;
    if (n < 0) {
        session_reply_error(s, EINVAL);
        return;
    }
    int thread = regs_thread(s, a, 1);
    int rc = thread ? session_regs_read(s, thread, &r) : -EINVAL;
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

static bool regs_change_one(struct session *s, struct x86_regs *r, const struct cmd_args *a)
{
    int n = regs_number(s, a);
    return n >= 0 && regs_decode_p(s->layout, r, n, a->v[1].str, a->v[1].len);
}

void cmd_regs_write_one(struct session *s, const struct cmd_args *a, int arg)
{
    regs_update(s, regs_change_one, a, 2);
}
