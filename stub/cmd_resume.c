/* stub/cmd_resume.c — run control: c s C S, vCont? and vCont, '?', D and k, and the stop
 * replies that end a run (T with the reason and expedited pc/sp/fp, W, X).
 */
#include "stub/session_internal.h"

#include <stdio.h>
#include <string.h>

void session_resume(struct session *s)
{
    bool any = false;
    for (int i = 0; i < s->nthreads; i++)
        any |= s->actions[i].kind != RESUME_NONE;
    if (!any) {
        session_reply_error(s, EINVAL); /* nothing would run, so nothing would ever stop */
        return;
    }
    int rc = s->target.ops->resume(s->target.ctx, s->actions);
    if (rc < 0)
        session_reply_error(s, -rc);
    else
        s->running = true;
}

static void resume_set_all(struct session *s, enum resume_kind kind)
{
    for (int i = 0; i < s->nthreads; i++)
        s->actions[i] = (struct resume_action){.kind = kind};
}

/* c [ADDR] / s [ADDR] / C SIG[;ADDR] / S SIG[;ADDR]. Continue runs every thread; step runs
 * only the Hc thread. A signal and an address apply to the Hc thread. */
void cmd_resume_simple(struct session *s, const struct cmd_args *a, int arg)
{
    enum resume_kind kind = (enum resume_kind)(arg & ~RESUME_ARG_SIGNAL);
    bool has_signal = arg & RESUME_ARG_SIGNAL;
    uint64_t sig = has_signal ? a->v[0].u : 0;
    const struct cmd_arg *addr = &a->v[has_signal ? 1 : 0];
    int thread = session_thread_resolve(s, s->c_thread);
    if (sig > 0xff) {
        session_reply_error(s, EINVAL);
        return;
    }
    if (addr->present) {
        struct x86_regs r;
        int rc;
        if ((rc = session_regs_read(s, thread, &r)) < 0 ||
            (r.rip = addr->u, rc = session_regs_write(s, thread, &r)) < 0) {
            session_reply_error(s, -rc);
            return;
        }
    }
    resume_set_all(s, kind == RESUME_CONTINUE ? RESUME_CONTINUE : RESUME_NONE);
    s->actions[thread - 1] = (struct resume_action){.kind = kind, .signal = (int)sig};
    session_resume(s);
}

void cmd_resume_vcont_query(struct session *s, const struct cmd_args *a, int arg)
{
    session_reply_str(s, "vCont;c;C;s;S");
}

/* One vCont action: c, s, Cxx or Sxx. */
static bool vcont_parse_action(const char **p, const char *end, struct resume_action *a)
{
    uint64_t sig = 0;
    char c = *(*p)++;
    switch (c) {
    case 'c':
    case 's': break;
    case 'C':
    case 'S':
        if (!hex_parse_u64(p, end, &sig) || sig > 0xff)
            return false;
        break;
    default: return false;
    }
    a->kind = (c == 'c' || c == 'C') ? RESUME_CONTINUE : RESUME_STEP;
    a->signal = (int)sig;
    return true;
}

/* vCont;ACTION[:TID][;ACTION[:TID]]...: each thread takes the leftmost action that names it
 * or names no thread; threads no action covers stay stopped. */
void cmd_resume_vcont(struct session *s, const struct cmd_args *a, int arg)
{
    const char *p = a->v[0].str, *end = a->v[0].str + a->v[0].len;
    resume_set_all(s, RESUME_NONE);
    for (;;) {
        struct resume_action action;
        int tid = THREAD_ALL;
        if (p == end || !vcont_parse_action(&p, end, &action))
            goto malformed;
        if (p != end && *p == ':') {
            p++;
            if (!cmd_parse_thread(&p, end, &tid))
                goto malformed;
            if (tid == THREAD_ANY)
                tid = s->cur_thread;
            if (tid != THREAD_ALL && !session_thread_valid(s, tid))
                goto malformed;
        }
        for (int t = 1; t <= s->nthreads; t++)
            if ((tid == THREAD_ALL || tid == t) && s->actions[t - 1].kind == RESUME_NONE)
                s->actions[t - 1] = action;
        if (p == end)
            break;
        if (*p++ != ';')
            goto malformed;
    }
    session_resume(s);
    return;
malformed:
    session_reply_error(s, EINVAL);
}

void cmd_resume_why(struct session *s, const struct cmd_args *a, int arg)
{
    session_send_stop_reply(s, &s->last_stop);
}

void cmd_resume_detach(struct session *s, const struct cmd_args *a, int arg)
{
    session_reply_ok(s);
    s->target.ops->detach(s->target.ctx);
    s->state = SESSION_DETACHED;
}

/* 'k' has no reply; kvmstub ends when the target reports its end. */
void cmd_resume_kill(struct session *s, const struct cmd_args *a, int arg)
{
    s->target.ops->kill(s->target.ctx);
    s->state = SESSION_KILLED;
    s->running = true;
}

/* ---- stop replies ---- */

struct stop_reason {
    const char *name; /* the T reply's reason key, NULL for none */
    bool has_addr;
};

static const struct stop_reason stop_reasons[] = {
    [STOP_SIGNAL] = {NULL, false},       [STOP_SWBREAK] = {"swbreak", false},
    [STOP_HWBREAK] = {"hwbreak", false}, [STOP_WATCH] = {"watch", true},
    [STOP_RWATCH] = {"rwatch", true},    [STOP_AWATCH] = {"awatch", true},
};

static void stop_put_byte(struct session *s, unsigned v)
{
    uint8_t b = (uint8_t)v;
    packet_put_hex(&s->out, &b, 1);
}

/* "NN:VALUE;" for a register, as gdb expedites it. */
static void stop_put_register(struct session *s, const struct x86_regs *r, int n)
{
    char hex[2 * 16];
    if (!regs_encode_p(s->layout, r, n, hex))
        return;
    packet_put_hex_u64(&s->out, (uint64_t)n);
    packet_put(&s->out, ":", 1);
    packet_put(&s->out, hex, 2 * regs_size(s->layout, n));
    packet_put(&s->out, ";", 1);
}

void session_send_stop_reply(struct session *s, const struct stop_event *ev)
{
    char buf[64];
    if (ev->kind == STOP_EXITED || ev->kind == STOP_TERMINATED) {
        snprintf(buf, sizeof(buf), "%c%02x", ev->kind == STOP_EXITED ? 'W' : 'X',
                 (unsigned)(ev->kind == STOP_EXITED ? ev->exit_status : ev->signal) & 0xff);
        session_reply_str(s, buf);
        return;
    }
    const struct stop_reason *why =
        (unsigned)ev->kind < sizeof(stop_reasons) / sizeof(*stop_reasons)
            ? &stop_reasons[ev->kind]
            : &stop_reasons[STOP_SIGNAL];
    int sig = ev->signal;
    if (why->name && sig == 0)
        sig = GDB_SIGNAL_TRAP;
    int thread = session_thread_resolve(s, ev->thread);
    packet_begin(&s->out);
    packet_put(&s->out, "T", 1);
    stop_put_byte(s, (unsigned)sig);
    packet_put_str(&s->out, "thread:");
    snprintf(buf, sizeof(buf), "%02x;", (unsigned)thread);
    packet_put_str(&s->out, buf);
    if (why->name) {
        packet_put_str(&s->out, why->name);
        packet_put(&s->out, ":", 1);
        if (why->has_addr)
            packet_put_hex_u64(&s->out, ev->addr);
        packet_put(&s->out, ";", 1);
    }
    /* Only pc, sp and fp go into the reply: a target that can read just those cheaply does. */
    struct x86_regs r;
    int rc = s->target.ops->read_core_regs
                 ? s->target.ops->read_core_regs(s->target.ctx, thread, &r)
                 : session_regs_read(s, thread, &r);
    if (rc == 0) {
        stop_put_register(s, &r, regs_fp(s->layout));
        stop_put_register(s, &r, regs_sp(s->layout));
        stop_put_register(s, &r, regs_pc(s->layout));
    }
    packet_end(&s->out);
}
