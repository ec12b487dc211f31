/* stub/cmd_break.c — breakpoint and watchpoint packets: Z0–Z4 insert, z0–z4 remove. */
#include "stub/session_internal.h"

/* ZTYPE,ADDR,KIND[;cond...][;cmds...]: conditions and commands are gdb's business, ignored. */
void cmd_break(struct session *s, const struct cmd_args *a, int insert)
{
    uint64_t type = a->v[0].u, addr = a->v[1].u, kind = a->v[2].u;
    if (type > WP_ACCESS) {
        session_reply_empty(s); /* a kind we do not know: "not supported" */
        return;
    }
    int (*op)(void *, enum bp_type, uint64_t, uint64_t) =
        insert ? s->target.ops->insert_bp : s->target.ops->remove_bp;
    int rc = op(s->target.ctx, (enum bp_type)type, addr, kind);
    if (rc == -ENOTSUP)
        session_reply_empty(s);
    else if (rc < 0)
        session_reply_error(s, -rc);
    else
        session_reply_ok(s);
}
