/* stub/cmd_schema.c — parse a packet's arguments against its schema (stub/cmd_schema.h). */
#include "stub/cmd_schema.h"

#include <string.h>

#include "stub/hex.h"

/* LLDB's thread suffix (QThreadSuffixSupported): ";thread:ID;". */
#define THREAD_SUFFIX     ";thread:"
#define THREAD_SUFFIX_LEN (sizeof(THREAD_SUFFIX) - 1)

bool cmd_parse_thread(const char **p, const char *end, int *tid)
{
    uint64_t v;
    if (end - *p >= 2 && (*p)[0] == '-' && (*p)[1] == '1') {
        *p += 2;
        *tid = -1;
        return true;
    }
    if (!hex_parse_u64(p, end, &v) || v > INT32_MAX)
        return false;
    *tid = (int)v;
    return true;
}

struct schema_parse {
    const char *p, *end;
    struct cmd_args *out;
    size_t used; /* bytes of out->buf the `h` arguments took */
};

static struct cmd_arg *schema_next_arg(struct schema_parse *sp)
{
    if (sp->out->n == CMD_MAX_ARGS)
        return NULL;
    struct cmd_arg *a = &sp->out->v[sp->out->n++];
    memset(a, 0, sizeof(*a));
    return a;
}

/* The end of an optional group that starts at g (g points at '['). */
static const char *schema_group_end(const char *g)
{
    int depth = 0;
    for (; *g; g++) {
        if (*g == '[')
            depth++;
        else if (*g == ']' && --depth == 0)
            return g;
    }
    return NULL;
}

/* Mark the arguments of the skipped part [s, e) absent. */
static bool schema_skip(struct schema_parse *sp, const char *s, const char *e)
{
    for (; s < e; s++)
        if (strchr("xtschT", *s) && !schema_next_arg(sp))
            return false;
    return true;
}

static bool schema_match(struct schema_parse *sp, const char *s, const char *e);

static bool schema_element(struct schema_parse *sp, const char **sc, const char *e)
{
    const char *s = *sc;
    struct cmd_arg *a;
    switch (*s) {
    case 'x':
        if (!(a = schema_next_arg(sp)) || !hex_parse_u64(&sp->p, sp->end, &a->u))
            return false;
        a->present = true;
        break;
    case 'c':
        if (!(a = schema_next_arg(sp)) || sp->p == sp->end)
            return false;
        a->u = (unsigned char)*sp->p++;
        a->present = true;
        break;
    case 't':
        if (!(a = schema_next_arg(sp)) || !cmd_parse_thread(&sp->p, sp->end, &a->tid))
            return false;
        a->present = true;
        break;
    case 'h': {
        const char *stop = sp->end;
        if (s + 1 < e && s[1] != '[' && s[1] != ']' &&
            !(stop = memchr(sp->p, s[1], (size_t)(sp->end - sp->p))))
            return false;
        size_t digits = (size_t)(stop - sp->p), room = sp->out->cap - sp->used;
        if (!(a = schema_next_arg(sp)) || !sp->out->buf || digits % 2 || digits / 2 >= room)
            return false;
        uint8_t *dst = sp->out->buf + sp->used;
        if (!hex_decode(dst, sp->p, digits))
            return false;
        dst[digits / 2] = '\0';
        a->str = (const char *)dst;
        a->len = digits / 2;
        a->present = true;
        sp->used += digits / 2 + 1;
        sp->p = stop;
        break;
    }
    case 's': {
        if (!(a = schema_next_arg(sp)))
            return false;
        const char *stop = sp->end;
        if (s + 1 < e && s[1] == 'T') {
            stop = memmem(sp->p, (size_t)(sp->end - sp->p), THREAD_SUFFIX, THREAD_SUFFIX_LEN);
            if (!stop)
                stop = sp->end;
        } else if (s + 1 < e && s[1] != '[' && s[1] != ']') {
            stop = memchr(sp->p, s[1], (size_t)(sp->end - sp->p));
            if (!stop)
                return false;
        }
        a->str = sp->p;
        a->len = (size_t)(stop - sp->p);
        a->present = true;
        sp->p = stop;
        break;
    }
    case 'T':
        if (!(a = schema_next_arg(sp)))
            return false;
        if ((size_t)(sp->end - sp->p) < THREAD_SUFFIX_LEN ||
            memcmp(sp->p, THREAD_SUFFIX, THREAD_SUFFIX_LEN) != 0)
            break; /* absent */
        sp->p += THREAD_SUFFIX_LEN;
        if (!cmd_parse_thread(&sp->p, sp->end, &a->tid))
            return false;
        if (sp->p < sp->end && *sp->p == ';')
            sp->p++;
        a->present = true;
        break;
    case '[': {
        const char *close = schema_group_end(s);
        if (!close || close > e)
            return false;
        if (sp->p == sp->end) {
            if (!schema_skip(sp, s + 1, close))
                return false;
        } else {
            struct schema_parse save = *sp;
            int n = sp->out->n;
            if (!schema_match(sp, s + 1, close)) {
                /* The packet does not go on with this group: absent, if what follows fits. */
                *sp = save;
                sp->out->n = n;
                if (!schema_skip(sp, s + 1, close))
                    return false;
            }
        }
        *sc = close;
        break;
    }
    default:
        if (sp->p == sp->end || *sp->p != *s)
            return false;
        sp->p++;
    }
    return true;
}

static bool schema_match(struct schema_parse *sp, const char *s, const char *e)
{
    for (; s < e; s++)
        if (!schema_element(sp, &s, e))
            return false;
    return true;
}

bool cmd_schema_parse(const char *schema, const char *pkt, size_t len, struct cmd_args *out)
{
    struct schema_parse sp = {.p = pkt, .end = pkt + len, .out = out};
    out->n = 0;
    return schema_match(&sp, schema, schema + strlen(schema)) && sp.p == sp.end;
}
