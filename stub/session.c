/* stub/session.c — the protocol engine: input events, packet dispatch table, replies,
 * the register cache and the end of a run (stop replies go out from here).
 */
#include "stub/session_internal.h"

#include "stub/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Output pending beyond this is handed to the write callback before the next packet. */
#define SESSION_FLUSH_THRESHOLD (2 * SESSION_PACKET_SIZE + 64)

enum cmd_match { MATCH_EXACT, MATCH_PREFIX };

struct cmd_entry {
    const char *name;
    enum cmd_match match;
    cmd_handler_fn fn;
    int arg;
};

/* Every packet the engine understands; anything else gets the empty reply. The most frequent
 * packets come first. A prefix row passes the rest of the packet to its handler. */
static const struct cmd_entry cmd_table[] = {
    {"m", MATCH_PREFIX, cmd_mem_read, MEM_HEX},
    {"x", MATCH_PREFIX, cmd_mem_read, MEM_BINARY},
    {"g", MATCH_EXACT, cmd_regs_read_all, 0},
    {"p", MATCH_PREFIX, cmd_regs_read_one, 0},
    {"vCont;", MATCH_PREFIX, cmd_resume_vcont, 0},
    {"Z", MATCH_PREFIX, cmd_break, 1},
    {"z", MATCH_PREFIX, cmd_break, 0},
    {"M", MATCH_PREFIX, cmd_mem_write, MEM_HEX},
    {"X", MATCH_PREFIX, cmd_mem_write, MEM_BINARY},
    {"G", MATCH_PREFIX, cmd_regs_write_all, 0},
    {"P", MATCH_PREFIX, cmd_regs_write_one, 0},
    {"c", MATCH_PREFIX, cmd_resume_simple, RESUME_CONTINUE},
    {"s", MATCH_PREFIX, cmd_resume_simple, RESUME_STEP},
    {"C", MATCH_PREFIX, cmd_resume_simple, RESUME_CONTINUE | RESUME_ARG_SIGNAL},
    {"S", MATCH_PREFIX, cmd_resume_simple, RESUME_STEP | RESUME_ARG_SIGNAL},
    {"vCont?", MATCH_EXACT, cmd_resume_vcont_query, 0},
    {"?", MATCH_EXACT, cmd_resume_why, 0},
    {"H", MATCH_PREFIX, cmd_thread_set, 0},
    {"T", MATCH_PREFIX, cmd_thread_alive, 0},
    {"qC", MATCH_EXACT, cmd_thread_current, 0},
    {"qfThreadInfo", MATCH_EXACT, cmd_thread_list, 1},
    {"qsThreadInfo", MATCH_EXACT, cmd_thread_list, 0},
    {"qThreadExtraInfo,", MATCH_PREFIX, cmd_thread_extra_info, 0},
    {"qXfer:features:read:", MATCH_PREFIX, cmd_query_features, 0},
    {"qSupported", MATCH_PREFIX, cmd_query_supported, 0},
    {"QStartNoAckMode", MATCH_EXACT, cmd_query_no_ack, 0},
    {"qAttached", MATCH_PREFIX, cmd_query_reply, QUERY_REPLY_ATTACHED},
    {"qSymbol:", MATCH_PREFIX, cmd_query_reply, QUERY_REPLY_OK},
    {"vMustReplyEmpty", MATCH_EXACT, cmd_query_reply, QUERY_REPLY_EMPTY},
    {"qRcmd,", MATCH_PREFIX, cmd_query_monitor, 0},
    {"D", MATCH_PREFIX, cmd_resume_detach, 0},
    {"k", MATCH_EXACT, cmd_resume_kill, 0},
};

struct session *session_new(const struct target *t, session_write_fn write, void *ctx)
{
    struct session *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->target = *t;
    s->layout = regs_layout_get(t->ops->arch(t->ctx));
    s->nthreads = t->ops->thread_count(t->ctx);
    s->ack_mode = true;
    s->state = SESSION_ACTIVE;
    if (!s->layout || s->nthreads < 1 || packet_decoder_init(&s->dec, SESSION_PACKET_SIZE) < 0 ||
        packet_writer_init(&s->out, SESSION_FLUSH_THRESHOLD, write, ctx) < 0 ||
        !(s->scratch = malloc(SESSION_PACKET_SIZE + 1)) ||
        !(s->actions = calloc((size_t)s->nthreads, sizeof(*s->actions))) ||
        !(s->xml = regs_target_xml(s->layout, &s->xml_len))) {
        session_free(s);
        return NULL;
    }
    struct stop_event initial = {.kind = STOP_SIGNAL, .thread = 1, .signal = GDB_SIGNAL_TRAP};
    session_set_stop(s, &initial);
    s->c_thread = THREAD_ANY;
    return s;
}

void session_free(struct session *s)
{
    if (!s)
        return;
    packet_decoder_free(&s->dec);
    packet_writer_free(&s->out);
    free(s->scratch);
    free(s->actions);
    free(s->xml);
    free(s);
}

void session_set_stop(struct session *s, const struct stop_event *ev)
{
    s->last_stop = *ev;
    if (session_thread_valid(s, ev->thread))
        s->cur_thread = ev->thread;
    else if (!session_thread_valid(s, s->cur_thread))
        s->cur_thread = 1;
    s->g_thread = s->cur_thread;
}

void session_last_stop(const struct session *s, struct stop_event *ev)
{
    *ev = s->last_stop;
}

bool session_target_running(const struct session *s)
{
    return s->running;
}

enum session_state session_state(const struct session *s)
{
    return s->state;
}

int session_exit_status(const struct session *s)
{
    return s->exit_status;
}

int session_status_of_stop(const struct stop_event *ev)
{
    return ev->kind == STOP_TERMINATED ? 128 + ev->signal : ev->exit_status;
}

/* ---- replies ---- */

void session_reply_str(struct session *s, const char *payload)
{
    packet_write_str(&s->out, payload);
}

void session_reply_ok(struct session *s)
{
    session_reply_str(s, "OK");
}

void session_reply_empty(struct session *s)
{
    session_reply_str(s, "");
}

void session_reply_error(struct session *s, int err)
{
    char e[16];
    snprintf(e, sizeof(e), "E%02x", (unsigned)err & 0xff);
    session_reply_str(s, e);
}

/* ---- registers ---- */

int session_regs_read(struct session *s, int thread, struct x86_regs *out)
{
    if (!s->regs_valid || s->regs_thread != thread) {
        int rc = s->target.ops->read_regs(s->target.ctx, thread, &s->regs);
        if (rc < 0) {
            s->regs_valid = false;
            return rc;
        }
        s->regs_valid = true;
        s->regs_thread = thread;
    }
    *out = s->regs;
    return 0;
}

int session_regs_write(struct session *s, int thread, const struct x86_regs *regs)
{
    int rc = s->target.ops->write_regs(s->target.ctx, thread, regs);
    s->regs_valid = false;
    return rc;
}

void session_regs_invalidate(struct session *s)
{
    s->regs_valid = false;
}

/* ---- threads and numbers ---- */

bool session_thread_valid(const struct session *s, int tid)
{
    return tid >= 1 && tid <= s->nthreads;
}

int session_thread_resolve(const struct session *s, int tid)
{
    return session_thread_valid(s, tid) ? tid : s->cur_thread;
}

bool session_parse_thread(const char **p, const char *end, int *tid)
{
    uint64_t v;
    if (end - *p >= 2 && (*p)[0] == '-' && (*p)[1] == '1') {
        *p += 2;
        *tid = THREAD_ALL;
        return true;
    }
    if (!hex_parse_u64(p, end, &v) || v > INT32_MAX)
        return false;
    *tid = (int)v;
    return true;
}

bool session_parse_pair(const char **p, const char *end, char sep, uint64_t *a, uint64_t *b)
{
    if (!hex_parse_u64(p, end, a) || *p == end || **p != sep)
        return false;
    (*p)++;
    return hex_parse_u64(p, end, b);
}

/* ---- input ---- */

static void session_dispatch(struct session *s, const char *pkt, size_t len)
{
    if (s->running) {
        /* All-stop: only 0x03 is meaningful until the stop reply. */
        session_reply_error(s, EINVAL);
        return;
    }
    for (size_t i = 0; i < sizeof(cmd_table) / sizeof(cmd_table[0]); i++) {
        const struct cmd_entry *c = &cmd_table[i];
        size_t n = strlen(c->name);
        if (len < n || memcmp(pkt, c->name, n) != 0 || (c->match == MATCH_EXACT && len != n))
            continue;
        c->fn(s, pkt + n, len - n, c->arg);
        return;
    }
    session_reply_empty(s);
}

static void session_event(struct session *s, enum packet_event ev)
{
    switch (ev) {
    case PACKET_EV_NONE:
    case PACKET_EV_ACK: break;
    case PACKET_EV_DATA:
        s->resent = false;
        if (s->ack_mode)
            packet_write_raw(&s->out, "+", 1);
        session_dispatch(s, packet_decoder_data(&s->dec), packet_decoder_len(&s->dec));
        break;
    case PACKET_EV_BAD_CHECKSUM: packet_write_raw(&s->out, "-", 1); break;
    case PACKET_EV_OVERSIZED:
        if (s->ack_mode)
            packet_write_raw(&s->out, "+", 1);
        session_reply_error(s, ENOSPC);
        break;
    case PACKET_EV_NAK:
        /* Send the last packet again, once for a run of NAKs: a flood of '-' must not
         * multiply a (possibly 128 KiB) reply in the output queue. */
        if (s->ack_mode && !s->resent)
            packet_retransmit(&s->out);
        s->resent = true;
        break;
    case PACKET_EV_INTERRUPT:
        if (s->running)
            s->target.ops->interrupt(s->target.ctx);
        break;
    }
}

static void session_flush(struct session *s)
{
    if (packet_flush(&s->out) < 0)
        s->state = SESSION_BROKEN;
}

void session_feed(struct session *s, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len && s->state == SESSION_ACTIVE) {
        enum packet_event ev;
        size_t used = packet_decode_feed(&s->dec, p, len, &ev);
        p += used;
        len -= used;
        session_event(s, ev);
        if (s->out.failed)
            s->state = SESSION_BROKEN;
    }
    s->resent = false; /* NAKs in a later read ask again */
    session_flush(s);
}

void session_target_stopped(struct session *s)
{
    struct stop_event ev;
    if (!s->running || !s->target.ops->get_stop(s->target.ctx, &ev))
        return;
    bool ends = ev.kind == STOP_EXITED || ev.kind == STOP_TERMINATED;
    if (s->state == SESSION_KILLED) {
        /* Waiting for the end after 'k'; gdb is gone or does not care. */
        if (ends) {
            s->running = false;
            s->exit_status = session_status_of_stop(&ev);
            s->state = SESSION_EXITED;
        }
        return;
    }
    s->running = false;
    session_regs_invalidate(s);
    session_set_stop(s, &ev);
    session_send_stop_reply(s, &ev);
    if (ends) {
        s->exit_status = session_status_of_stop(&ev);
        if (s->state == SESSION_ACTIVE)
            s->state = SESSION_EXITED;
    }
    session_flush(s);
}
