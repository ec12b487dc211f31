/* stub/stop_reply.c — the stop replies that end a run: T with the reason and the expedited
 * pc, sp and fp (and, for LLDB's QListThreadsInStopReply, every thread), W for an exit, X for a
 * guest ended by a signal. */
#include "stub/session_internal.h"

#include <stdio.h>
#include <string.h>

struct stop_reason {
    const char *name; /* the T reply's reason key, NULL for none */
    bool has_addr;
};

static const struct stop_reason stop_reasons[] = {
    [STOP_SIGNAL] = {NULL, false},
    [STOP_SWBREAK] = {"swbreak", false},
    [STOP_HWBREAK] = {"hwbreak", false},
    [STOP_WATCH] = {"watch", true},
    [STOP_RWATCH] = {"rwatch", true},
    [STOP_AWATCH] = {"awatch", true},
    [STOP_HISTORY_BEGIN] = {"replaylog", false},
    [STOP_HISTORY_END] = {"replaylog", false},
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

void stop_reply_send(struct session *s, const struct stop_event *ev)
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
    if (s->threads_in_stop) {
        /* LLDB's QListThreadsInStopReply: "threads:1,2;", every thread. */
        packet_put_str(&s->out, "threads:");
        for (int t = 1; t <= s->nthreads; t++) {
            snprintf(buf, sizeof(buf), "%s%x", t > 1 ? "," : "", (unsigned)t);
            packet_put_str(&s->out, buf);
        }
        packet_put(&s->out, ";", 1);
    }
    if (why->name) {
        packet_put_str(&s->out, why->name);
        packet_put(&s->out, ":", 1);
        if (why->has_addr)
            packet_put_hex_u64(&s->out, ev->addr);
        else if (ev->kind == STOP_HISTORY_BEGIN || ev->kind == STOP_HISTORY_END)
            packet_put_str(&s->out, ev->kind == STOP_HISTORY_BEGIN ? "begin" : "end");
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
