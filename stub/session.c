/* stub/session.c — the protocol engine: the debugger's bytes through the packet decoder (acks,
 * NAKs, 0x03), the table of packets (schema, handler, what each needs of the target, what
 * qSupported advertises) and their dispatch, replies and console output, and the end of a run:
 * the stop taken from the target, handed to stub/stop_reply.c. It keeps no copy of the target's
 * registers (DESIGN.md §5).
 */
#include "stub/session_internal.h"

#include "stub/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Output pending beyond this is handed to the write callback before the next packet. */
#define SESSION_FLUSH_THRESHOLD (2 * SESSION_PACKET_SIZE + 64)

/* What a packet needs of the target: without it the packet gets the empty reply ("not
 * supported") and its feature is not advertised. */
enum cmd_need {
    NEED_NOTHING,
    NEED_BREAKPOINTS,
    NEED_MONITOR,
    NEED_THREAD_INFO,
    NEED_EXEC_FILE, /* the operation, and a file for it to name */
    NEED_MEMORY_REGION,
    NEED_PHYS_MODE,
    NEED_REVERSE,
};

struct cmd_entry {
    const char *name;   /* the packet's name: its first characters */
    const char *schema; /* its arguments after the name (stub/cmd_schema.h) */
    cmd_handler_fn fn;
    int arg; /* the handler's parameter */
    enum cmd_need need;
    const char *feature; /* what qSupported advertises when the packet is served, or NULL */
};

/* Every packet the engine understands; anything else gets the empty reply. The most frequent
 * packets come first. A name that is a prefix of another's comes after it. */
static const struct cmd_entry cmd_table[] = {
    {"m", "x,x", cmd_mem_read, MEM_HEX, NEED_NOTHING, NULL},
    {"x", "x,x", cmd_mem_read, MEM_BINARY, NEED_NOTHING, "binary-upload+"},
    {"g", "T", cmd_regs_read_all, 0, NEED_NOTHING, NULL},
    {"p", "xT", cmd_regs_read_one, 0, NEED_NOTHING, NULL},
    {"vCont;", "s", cmd_resume_vcont, 0, NEED_NOTHING, "vContSupported+"},
    {"Z", "x,x,x[;s]", cmd_break, 1, NEED_BREAKPOINTS, "swbreak+;hwbreak+"},
    {"z", "x,x,x[;s]", cmd_break, 0, NEED_BREAKPOINTS, NULL},
    {"M", "x,x:h", cmd_mem_write, MEM_HEX, NEED_NOTHING, NULL},
    {"X", "x,x:s", cmd_mem_write, MEM_BINARY, NEED_NOTHING, NULL},
    {"G", "sT", cmd_regs_write_all, 0, NEED_NOTHING, NULL},
    {"P", "x=sT", cmd_regs_write_one, 0, NEED_NOTHING, NULL},
    {"c", "[x]", cmd_resume_simple, RESUME_CONTINUE, NEED_NOTHING, NULL},
    {"s", "[x]", cmd_resume_simple, RESUME_STEP, NEED_NOTHING, NULL},
    {"C", "x[;x]", cmd_resume_simple, RESUME_CONTINUE | RESUME_ARG_SIGNAL, NEED_NOTHING, NULL},
    {"S", "x[;x]", cmd_resume_simple, RESUME_STEP | RESUME_ARG_SIGNAL, NEED_NOTHING, NULL},
    {"vCont?", "", cmd_resume_vcont_query, 0, NEED_NOTHING, NULL},
    {"bs", "", cmd_resume_reverse, RESUME_STEP, NEED_REVERSE, "ReverseStep+"},
    {"bc", "", cmd_resume_reverse, RESUME_CONTINUE, NEED_REVERSE, "ReverseContinue+"},
    {"?", "", cmd_resume_why, 0, NEED_NOTHING, NULL},
    {"H", "ct", cmd_thread_set, 0, NEED_NOTHING, NULL},
    {"T", "t", cmd_thread_alive, 0, NEED_NOTHING, NULL},
    {"qC", "", cmd_thread_current, 0, NEED_NOTHING, NULL},
    {"qfThreadInfo", "", cmd_thread_list, 1, NEED_NOTHING, NULL},
    {"qsThreadInfo", "", cmd_thread_list, 0, NEED_NOTHING, NULL},
    {"qThreadExtraInfo,", "t", cmd_thread_extra_info, 0, NEED_NOTHING, NULL},
    {"qXfer:features:read:", "s:x,x", cmd_xfer_read, XFER_FEATURES, NEED_NOTHING,
     "qXfer:features:read+"},
    {"qXfer:threads:read:", "s:x,x", cmd_xfer_read, XFER_THREADS, NEED_THREAD_INFO,
     "qXfer:threads:read+"},
    {"qXfer:exec-file:read:", "s:x,x", cmd_xfer_read, XFER_EXEC_FILE, NEED_EXEC_FILE,
     "qXfer:exec-file:read+"},
    {"vFile:setfs:", "x", cmd_file_setfs, 0, NEED_EXEC_FILE, NULL},
    {"vFile:open:", "s,x,x", cmd_file_open, 0, NEED_EXEC_FILE, NULL},
    {"vFile:pread:", "x,x,x", cmd_file_pread, 0, NEED_EXEC_FILE, NULL},
    {"vFile:close:", "x", cmd_file_close, 0, NEED_EXEC_FILE, NULL},
    {"vFile:fstat:", "x", cmd_file_fstat, 0, NEED_EXEC_FILE, NULL},
    {"qSupported", "[:s]", cmd_query_supported, 0, NEED_NOTHING, NULL},
    {"qSearch:memory:", "x;x;s", cmd_mem_search, 0, NEED_NOTHING, NULL},
    {"QStartNoAckMode", "", cmd_query_no_ack, 0, NEED_NOTHING, "QStartNoAckMode+"},
    {"qAttached", "[:s]", cmd_query_reply, QUERY_REPLY_ATTACHED, NEED_NOTHING, NULL},
    {"qSymbol:", "s", cmd_query_reply, QUERY_REPLY_OK, NEED_NOTHING, NULL},
    {"vMustReplyEmpty", "", cmd_query_reply, QUERY_REPLY_EMPTY, NEED_NOTHING, NULL},
    {"qOffsets", "", cmd_query_offsets, 0, NEED_NOTHING, NULL},
    {"qRcmd,", "h", cmd_query_monitor, 0, NEED_MONITOR, NULL},
    /* QEMU's, for pwndbg and gef; QEMU does not advertise them in qSupported. */
    {"qqemu.PhyMemMode", "", cmd_query_phys_mode, 0, NEED_PHYS_MODE, NULL},
    {"Qqemu.PhyMemMode:", "c", cmd_query_set_phys_mode, 0, NEED_PHYS_MODE, NULL},
    {"qHostInfo", "", cmd_lldb_host_info, 0, NEED_NOTHING, NULL},
    {"qProcessInfo", "", cmd_lldb_host_info, 1, NEED_NOTHING, NULL},
    {"QThreadSuffixSupported", "", cmd_lldb_enable, LLDB_THREAD_SUFFIX, NEED_NOTHING, NULL},
    {"QListThreadsInStopReply", "", cmd_lldb_enable, LLDB_THREADS_IN_STOP, NEED_NOTHING, NULL},
    {"qMemoryRegionInfo:", "x", cmd_lldb_memory_region, 0, NEED_MEMORY_REGION, NULL},
    {"qThreadStopInfo", "t", cmd_lldb_thread_stop_info, 0, NEED_NOTHING, NULL},
    {"D", "[;s]", cmd_resume_detach, 0, NEED_NOTHING, NULL},
    {"k", "", cmd_resume_kill, 0, NEED_NOTHING, NULL},
};

static bool session_has(const struct session *s, enum cmd_need need)
{
    const struct target_ops *ops = s->target.ops;
    switch (need) {
    case NEED_NOTHING: return true;
    case NEED_BREAKPOINTS: return ops->insert_bp && ops->remove_bp;
    case NEED_MONITOR: return ops->monitor != NULL;
    case NEED_THREAD_INFO: return ops->thread_info != NULL;
    case NEED_EXEC_FILE: return ops->exec_file && ops->exec_file(s->target.ctx);
    case NEED_MEMORY_REGION: return ops->memory_region != NULL;
    case NEED_PHYS_MODE: return ops->phys_mode && ops->set_phys_mode;
    case NEED_REVERSE: return ops->reverse != NULL;
    }
    return false;
}

/* Does pkt start with this row's name? A general packet's name (q..., Q..., v...) must also
 * end there: "qC" is not "qCRC:...". Unless its arguments follow it directly: LLDB's
 * qThreadStopInfo1 (a schema that starts with a thread id). */
static bool cmd_name_matches(const struct cmd_entry *c, const char *pkt, size_t len)
{
    size_t n = strlen(c->name);
    if (len < n || memcmp(pkt, c->name, n) != 0)
        return false;
    if (!strchr("qQv", c->name[0]) || strchr(":,;", c->name[n - 1]) || len == n ||
        c->schema[0] == 't')
        return true;
    return strchr(":,;", pkt[n]) != NULL;
}

/* Console output goes in 'O' packets of at most this many characters. */
#define SESSION_CONSOLE_CHUNK 1024
/* Target output taken per wakeup. */
#define SESSION_OUTPUT_BATCH 4096

void session_put_console(struct session *s, const char *text, size_t len)
{
    for (size_t off = 0; off < len; off += SESSION_CONSOLE_CHUNK) {
        size_t n = len - off < SESSION_CONSOLE_CHUNK ? len - off : SESSION_CONSOLE_CHUNK;
        packet_begin(&s->out);
        packet_put(&s->out, "O", 1);
        packet_put_hex(&s->out, text + off, n);
        packet_end(&s->out);
    }
}

/* What the target printed while it ran (dprintf) goes to gdb's console. */
static void session_forward_output(struct session *s)
{
    if (!s->target.ops->take_output)
        return;
    char buf[SESSION_OUTPUT_BATCH];
    size_t n;
    while ((n = s->target.ops->take_output(s->target.ctx, buf, sizeof(buf))) > 0)
        session_put_console(s, buf, n);
}

void session_put_supported(struct session *s)
{
    char size[32];
    snprintf(size, sizeof(size), "PacketSize=%x", SESSION_PACKET_SIZE);
    packet_put_str(&s->out, size);
    if ((s->target.ops->features & TARGET_FEATURE_BP_AGENT) && session_has(s, NEED_BREAKPOINTS))
        packet_put_str(&s->out, ";ConditionalBreakpoints+;BreakpointCommands+");
    for (size_t i = 0; i < sizeof(cmd_table) / sizeof(cmd_table[0]); i++) {
        const struct cmd_entry *c = &cmd_table[i];
        if (c->feature && session_has(s, c->need)) {
            packet_put(&s->out, ";", 1);
            packet_put_str(&s->out, c->feature);
        }
    }
}

/* Why the target is stopped (what '?' reports; its thread becomes the current thread). */
static void session_set_stop(struct session *s, const struct stop_event *ev)
{
    s->last_stop = *ev;
    if (session_thread_valid(s, ev->thread))
        s->cur_thread = ev->thread;
    else if (!session_thread_valid(s, s->cur_thread))
        s->cur_thread = 1;
    s->g_thread = s->cur_thread;
}

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
    cmd_file_init(s);
    if (!s->layout || s->nthreads < 1 || packet_decoder_init(&s->dec, SESSION_PACKET_SIZE) < 0 ||
        packet_writer_init(&s->out, SESSION_FLUSH_THRESHOLD, write, ctx) < 0 ||
        !(s->scratch = malloc(SESSION_PACKET_SIZE + 1)) ||
        !(s->actions = calloc((size_t)s->nthreads, sizeof(*s->actions))) ||
        !(s->xml = regs_target_xml(s->layout, &s->xml_len))) {
        session_free(s);
        return NULL;
    }
    struct stop_event initial;
    t->ops->last_stop(t->ctx, &initial);
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
    cmd_xfer_free(s);
    cmd_file_close_all(s);
    free(s);
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
    return s->target.ops->read_regs(s->target.ctx, thread, out);
}

int session_regs_write(struct session *s, int thread, const struct x86_regs *regs)
{
    return s->target.ops->write_regs(s->target.ctx, thread, regs);
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
        if (!cmd_name_matches(c, pkt, len))
            continue;
        if (!session_has(s, c->need))
            break; /* not supported */
        size_t n = strlen(c->name);
        struct cmd_args args = {.buf = s->scratch, .cap = SESSION_PACKET_SIZE + 1};
        if (!cmd_schema_parse(c->schema, pkt + n, len - n, &args)) {
            session_reply_error(s, EINVAL);
            return;
        }
        c->fn(s, &args, c->arg);
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
    if (!s->running)
        return;
    /* The stop first: taking it consumes the wakeup, so output that comes after this point
     * wakes the server again. */
    bool stopped = s->target.ops->get_stop(s->target.ctx, &ev);
    session_forward_output(s);
    if (!stopped) {
        session_flush(s);
        return;
    }
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
    session_set_stop(s, &ev);
    stop_reply_send(s, &ev);
    if (ends) {
        s->exit_status = session_status_of_stop(&ev);
        if (s->state == SESSION_ACTIVE)
            s->state = SESSION_EXITED;
    }
    session_flush(s);
}
