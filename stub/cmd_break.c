/* stub/cmd_break.c — breakpoint and watchpoint packets: Z0–Z4 insert, z0–z4 remove, with the
 * agent expressions gdb attaches to a breakpoint (conditions and commands).
 */
#include "stub/session_internal.h"

#include <string.h>

#define BREAK_CMDS_PREFIX "cmds:"

/* A series of "X LEN,HEX" agent expressions (as gdb writes them: no separator between them),
 * decoded into scratch starting at *used. False on malformed input or too many. */
static bool break_parse_exprs(struct session *s, const char **p, const char *end,
                              struct bp_agent_expr *out, int *n, size_t *used)
{
    while (*p < end && **p == 'X') {
        uint64_t len;
        (*p)++;
        if (*n == BP_AGENT_MAX || !hex_parse_u64(p, end, &len) || *p == end || *(*p)++ != ',' ||
            len == 0 || len > AX_CODE_MAX || (uint64_t)(end - *p) < 2 * len ||
            *used + len > SESSION_PACKET_SIZE)
            return false;
        uint8_t *bytes = s->scratch + *used;
        if (!hex_decode(bytes, *p, 2 * len))
            return false;
        out[(*n)++] = (struct bp_agent_expr){bytes, (size_t)len};
        *p += 2 * len;
        *used += len;
    }
    return true;
}

/* After "Z0,ADDR,KIND;": [conditions][;cmds:PERSIST,commands] or cmds:PERSIST,commands. */
static bool break_parse_agent(struct session *s, const char *p, size_t len, struct bp_agent *agent)
{
    const char *end = p + len;
    size_t used = 0;
    if (!break_parse_exprs(s, &p, end, agent->conds, &agent->nconds, &used))
        return false;
    if (p < end && *p == ';')
        p++;
    if (p == end)
        return true;
    size_t plen = strlen(BREAK_CMDS_PREFIX);
    uint64_t persist;
    if ((size_t)(end - p) < plen || memcmp(p, BREAK_CMDS_PREFIX, plen) != 0)
        return false;
    p += plen;
    if (!hex_parse_u64(&p, end, &persist) || p == end || *p++ != ',')
        return false;
    return break_parse_exprs(s, &p, end, agent->cmds, &agent->ncmds, &used) && p == end;
}

/* ZTYPE,ADDR,KIND[;cond_list][;cmds:persist,cmd_list]: the agent expressions go to a target
 * that evaluates them; to any other they are not offered (qSupported), and ignored. */
void cmd_break(struct session *s, const struct cmd_args *a, int insert)
{
    uint64_t type = a->v[0].u, addr = a->v[1].u, kind = a->v[2].u;
    if (type > WP_ACCESS) {
        session_reply_empty(s); /* a kind we do not know: "not supported" */
        return;
    }
    int rc;
    if (insert) {
        struct bp_agent agent = {0};
        if (a->v[3].present && (s->target.ops->features & TARGET_FEATURE_BP_AGENT) &&
            !break_parse_agent(s, a->v[3].str, a->v[3].len, &agent)) {
            session_reply_error(s, EINVAL);
            return;
        }
        rc = s->target.ops->insert_bp(s->target.ctx, (enum bp_type)type, addr, kind, &agent);
    } else {
        rc = s->target.ops->remove_bp(s->target.ctx, (enum bp_type)type, addr, kind);
    }
    if (rc == -ENOTSUP)
        session_reply_empty(s);
    else if (rc < 0)
        session_reply_error(s, -rc);
    else
        session_reply_ok(s);
}
