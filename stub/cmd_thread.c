/* stub/cmd_thread.c — thread packets: H, T, qC, qfThreadInfo/qsThreadInfo, qThreadExtraInfo.
 * Threads are the target's CPUs, 1..thread_count.
 */
#include "stub/session_internal.h"

#include <stdio.h>
#include <string.h>

/* Threads listed per qfThreadInfo/qsThreadInfo reply. */
#define THREAD_LIST_BATCH 256
/* Longest qThreadExtraInfo description. */
#define THREAD_DESCRIBE_MAX 256

/* Hg TID / Hc TID: 0 is any thread (the current one), -1 all (only meaningful for Hc). */
void cmd_thread_set(struct session *s, const struct cmd_args *a, int arg)
{
    char op = (char)a->v[0].u;
    int tid = a->v[1].tid;
    if ((op != 'g' && op != 'c') || (tid > 0 && !session_thread_valid(s, tid))) {
        session_reply_error(s, EINVAL);
        return;
    }
    if (op == 'g')
        s->g_thread = tid == THREAD_ALL ? THREAD_ANY : tid;
    else
        s->c_thread = tid;
    session_reply_ok(s);
}

void cmd_thread_alive(struct session *s, const struct cmd_args *a, int arg)
{
    if (!session_thread_valid(s, a->v[0].tid))
        session_reply_error(s, EINVAL);
    else
        session_reply_ok(s);
}

void cmd_thread_current(struct session *s, const struct cmd_args *a, int arg)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "QC%02x", (unsigned)s->cur_thread);
    session_reply_str(s, buf);
}

/* qfThreadInfo starts the list, qsThreadInfo continues it: "m1,2,..." then "l". */
void cmd_thread_list(struct session *s, const struct cmd_args *a, int first)
{
    char buf[16];
    if (first)
        s->thread_cursor = 1;
    if (s->thread_cursor < 1 || s->thread_cursor > s->nthreads) {
        session_reply_str(s, "l");
        return;
    }
    packet_begin(&s->out);
    packet_put(&s->out, "m", 1);
    for (int n = 0; n < THREAD_LIST_BATCH && s->thread_cursor <= s->nthreads; n++) {
        int len = snprintf(buf, sizeof(buf), "%s%02x", n ? "," : "", (unsigned)s->thread_cursor++);
        packet_put(&s->out, buf, (size_t)len);
    }
    packet_end(&s->out);
}

/* "NAME, STATE" ("CPU 0, 64-bit long mode, stopped"), or nothing. */
void cmd_thread_extra_info(struct session *s, const struct cmd_args *a, int arg)
{
    int tid = a->v[0].tid;
    char text[THREAD_DESCRIBE_MAX] = "";
    if (!session_thread_valid(s, tid)) {
        session_reply_error(s, EINVAL);
        return;
    }
    if (s->target.ops->thread_info) {
        struct target_thread_info info = {"", ""};
        s->target.ops->thread_info(s->target.ctx, tid, &info);
        info.name[sizeof(info.name) - 1] = '\0';
        info.state[sizeof(info.state) - 1] = '\0';
        snprintf(text, sizeof(text), "%s%s%s", info.name, info.name[0] && info.state[0] ? ", " : "",
                 info.state);
    }
    packet_begin(&s->out);
    packet_put_hex(&s->out, text, strlen(text));
    packet_end(&s->out);
}
