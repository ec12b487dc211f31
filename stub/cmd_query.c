/* stub/cmd_query.c — general queries: qSupported, QStartNoAckMode, qAttached, qSymbol,
 * vMustReplyEmpty, qRcmd (monitor commands) and QEMU's qqemu.PhyMemMode.
 */
#include "stub/session_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MONITOR_UNKNOWN_HINT "kvmstub: unknown monitor command; 'monitor help' lists them\n"

/* What we tell gdb we support: derived from the packet table and the target's operations. */
void cmd_query_supported(struct session *s, const struct cmd_args *a, int arg)
{
    packet_begin(&s->out);
    session_put_supported(s);
    packet_end(&s->out);
}

void cmd_query_reply(struct session *s, const struct cmd_args *a, int reply)
{
    static const char *const replies[] = {
        [QUERY_REPLY_EMPTY] = "",
        [QUERY_REPLY_OK] = "OK",
        [QUERY_REPLY_ATTACHED] = "1", /* we attached to an existing machine: detach, not kill */
    };
    session_reply_str(s, replies[reply]);
}

void cmd_query_no_ack(struct session *s, const struct cmd_args *a, int arg)
{
    session_reply_ok(s); /* still acknowledged: the switch happens after this reply */
    s->ack_mode = false;
    s->out.keep_last = false;
}

/* qOffsets: sections relocated by the target's known text offset (gdb applies it to the
 * symbols it loaded); empty while there is none, which is what gef expects of QEMU. */
void cmd_query_offsets(struct session *s, const struct cmd_args *a, int arg)
{
    (void)a;
    (void)arg;
    const struct target_ops *ops = s->target.ops;
    uint64_t off;
    if (!ops->text_offset || ops->text_offset(s->target.ctx, &off) < 0) {
        session_reply_empty(s);
        return;
    }
    char reply[80];
    snprintf(reply, sizeof(reply), "Text=%" PRIx64 ";Data=%" PRIx64 ";Bss=%" PRIx64, off, off, off);
    session_reply_str(s, reply);
}

/* target_print_fn for monitor commands: the text goes to gdb's console. */
static void monitor_print(void *ctx, const char *text)
{
    session_put_console(ctx, text, strlen(text));
}

/* qRcmd,HEX: run a monitor command; its output as 'O' packets, then OK or an error. */
void cmd_query_monitor(struct session *s, const struct cmd_args *a, int arg)
{
    const char *cmd = a->v[0].str; /* decoded by the schema, NUL-terminated */
    if (memchr(cmd, '\0', a->v[0].len)) {
        session_reply_error(s, EINVAL);
        return;
    }
    int rc = s->target.ops->monitor(s->target.ctx, cmd, monitor_print, s);
    if (rc == -ENOENT) {
        monitor_print(s, MONITOR_UNKNOWN_HINT);
        session_reply_ok(s);
    } else if (rc < 0) {
        session_reply_error(s, -rc);
    } else {
        session_reply_ok(s);
    }
}

/* qqemu.PhyMemMode: "1" when gdb's memory addresses are physical, "0" when linear. */
void cmd_query_phys_mode(struct session *s, const struct cmd_args *a, int arg)
{
    session_reply_str(s, s->target.ops->phys_mode(s->target.ctx) ? "1" : "0");
}

/* Qqemu.PhyMemMode:1 or :0 sets it; anything else is refused and changes nothing. */
void cmd_query_set_phys_mode(struct session *s, const struct cmd_args *a, int arg)
{
    uint64_t mode = a->v[0].u;
    if (mode != '0' && mode != '1') {
        session_reply_error(s, EINVAL);
        return;
    }
    s->target.ops->set_phys_mode(s->target.ctx, mode == '1');
    session_reply_ok(s);
}
