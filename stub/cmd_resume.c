/* stub/cmd_resume.c — run control packets: c s C S, vCont? and vCont, bs and bc, '?', D and k. */
#include "stub/session_internal.h"

#include <stdio.h>
#include <string.h>

void cmd_resume_start(struct session *s)
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
    cmd_resume_start(s);
}

/* vCont? says which actions vCont takes: range stepping ('r') where the target can. */
void cmd_resume_vcont_query(struct session *s, const struct cmd_args *a, int arg)
{
    bool range = s->target.ops->features & TARGET_FEATURE_RANGE_STEP;
    session_reply_str(s, range ? "vCont;c;C;s;S;r" : "vCont;c;C;s;S");
}

/* One vCont action: c, s, Cxx, Sxx, or r START,END (where the target steps ranges). */
static bool vcont_parse_action(struct session *s, const char **p, const char *end,
                               struct resume_action *a)
{
    uint64_t sig = 0;
    char c = *(*p)++;
    *a = (struct resume_action){.kind = RESUME_STEP};
    switch (c) {
    case 'c': a->kind = RESUME_CONTINUE; break;
    case 's': break;
    case 'C':
    case 'S':
        if (!hex_parse_u64(p, end, &sig) || sig > 0xff)
            return false;
        a->kind = c == 'C' ? RESUME_CONTINUE : RESUME_STEP;
        a->signal = (int)sig;
        break;
    case 'r':
        if (!(s->target.ops->features & TARGET_FEATURE_RANGE_STEP) ||
            !hex_parse_u64(p, end, &a->start) || *p == end || *(*p)++ != ',' ||
            !hex_parse_u64(p, end, &a->end))
            return false;
        a->kind = RESUME_RANGE;
        break;
    default: return false;
    }
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
        if (p == end || !vcont_parse_action(s, &p, end, &action))
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
    cmd_resume_start(s);
    return;
malformed:
    session_reply_error(s, EINVAL);
}

/* bs / bc: the Hc thread backwards, one instruction or to the previous hit. A refusal's reason
 * goes back as "E.TEXT", which gdb shows ("Remote failure reply: E.TEXT"). */
void cmd_resume_reverse(struct session *s, const struct cmd_args *a, int arg)
{
    char why[200], reply[sizeof(why) + 2];
    int thread = session_thread_resolve(s, s->c_thread);
    if (s->target.ops->reverse(s->target.ctx, thread, (enum resume_kind)arg, why, sizeof(why)) <
        0) {
        for (char *c = why; *c; c++)
            if (*c == '$' || *c == '#' || *c == '}' || *c == '*')
                *c = ' '; /* nothing in the text may need escaping */
        snprintf(reply, sizeof(reply), "E.%s", why);
        session_reply_str(s, reply);
        return;
    }
    s->running = true;
}

void cmd_resume_why(struct session *s, const struct cmd_args *a, int arg)
{
    stop_reply_send(s, &s->last_stop);
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
