/* stub/cmd_break.c — breakpoint and watchpoint packets: Z0–Z4 insert, z0–z4 remove. */
#include "stub/session_internal.h"

/* ZTYPE,ADDR,KIND[;cond...][;cmds...]: conditions and commands are gdb's business, ignored. */
void cmd_break(struct session *s, const char *args, size_t len, int insert)
{
    const char *p = args, *end = args + len;
    uint64_t type, addr, kind;
    if (!hex_parse_u64(&p, end, &type) || p == end || *p++ != ',' ||
        !session_parse_pair(&p, end, ',', &addr, &kind) || (p != end && *p != ';')) {
        session_reply_error(s, EINVAL);
        return;
    }
    if (type > WP_ACCESS) {
        session_reply_empty(s); /* a kind we do not know: "not supported" */
        return;
    }
    int (*op)(void *, enum bp_type, uint64_t, uint64_t) =
        insert ? s->target.ops->insert_bp : s->target.ops->remove_bp;
    int rc = op ? op(s->target.ctx, (enum bp_type)type, addr, kind) : -ENOTSUP;
    if (rc == -ENOTSUP)
        session_reply_empty(s);
    else if (rc < 0)
        session_reply_error(s, -rc);
    else
        session_reply_ok(s);
}
