/* stub/cmd_query.c — general queries: qSupported, QStartNoAckMode, qAttached, qSymbol,
 * vMustReplyEmpty, qXfer:features:read (target.xml) and qRcmd (monitor commands).
 */
#include "stub/session_internal.h"

#include <stdio.h>
#include <string.h>

#define MONITOR_UNKNOWN_HINT "kvmstub: unknown monitor command; 'monitor help' lists them\n"

/* The only qXfer:features annex we serve. */
#define FEATURES_ANNEX "target.xml"

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

/* qXfer:features:read:ANNEX:OFFSET,LENGTH → "m" + data when more follows, "l" + data at the
 * end. */
void cmd_query_features(struct session *s, const struct cmd_args *a, int arg)
{
    const struct cmd_arg *annex = &a->v[0];
    uint64_t off = a->v[1].u, want = a->v[2].u;
    if (annex->len != strlen(FEATURES_ANNEX) ||
        memcmp(annex->str, FEATURES_ANNEX, strlen(FEATURES_ANNEX)) != 0) {
        session_reply_str(s, "E00"); /* the manual's reply for an unknown annex */
        return;
    }
    if (off >= s->xml_len) {
        session_reply_str(s, "l");
        return;
    }
    size_t n = s->xml_len - (size_t)off;
    if (want > SESSION_PACKET_SIZE)
        want = SESSION_PACKET_SIZE;
    if (n > want)
        n = (size_t)want;
    packet_begin(&s->out);
    packet_put(&s->out, off + n < s->xml_len ? "m" : "l", 1);
    packet_put_binary(&s->out, s->xml + off, n);
    packet_end(&s->out);
}

/* target_print_fn for monitor commands: the text goes to gdb's console. */
static void monitor_print(void *ctx, const char *text)
{
    session_put_console(ctx, text, strlen(text));
}

/* qRcmd,HEX: run a monitor command; its output as 'O' packets, then OK or an error. */
void cmd_query_monitor(struct session *s, const struct cmd_args *a, int arg)
{
    char *cmd = (char *)s->scratch;
    const char *args = a->v[0].str;
    size_t len = a->v[0].len;
    if (len % 2 || len / 2 > SESSION_PACKET_SIZE || !hex_decode(cmd, args, len) ||
        memchr(cmd, '\0', len / 2)) {
        session_reply_error(s, EINVAL);
        return;
    }
    cmd[len / 2] = '\0';
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
