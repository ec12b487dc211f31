/* bench/target_desc.c — fetch and read the target description. Implements target_desc.h.
 *
 * Only what the benchmark needs from the XML: <architecture>, <xi:include href=...> and each
 * <reg name= bitsize= [regnum=]> in document order (a register without regnum takes the next
 * number after the previous one, as gdb numbers them).
 */
#include "bench/target_desc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/rsp_reply.h"

#define DESC_ROOT_ANNEX  "target.xml"
#define DESC_MAX_DEPTH   4
#define DESC_MAX_REGS    512
#define DESC_CHUNK       0xfff /* bytes asked per qXfer request */
#define DESC_MAX_DOC     (1 << 20)
#define DESC_ATTR_MAX    128
#define DESC_REQUEST_MAX (DESC_ATTR_MAX + 64)

/* Names gdb gives the x86 program counter, in order of preference. */
static const char *const pc_names[] = {"rip", "eip", "pc"};

struct desc_reg {
    int regnum;
    unsigned size;
    char name[16];
};

struct desc_parse {
    struct rsp_conn *c;
    int timeout_ms;
    struct target_desc *d;
    struct desc_reg regs[DESC_MAX_REGS];
    int nregs;
    int next_regnum;
    char *err;
    size_t errlen;
};

/* Read one annex completely ('m' chunks until the final 'l'). Returns a malloc'd string. */
static char *fetch_annex(struct desc_parse *p, const char *annex)
{
    char *doc = NULL;
    size_t len = 0;
    for (;;) {
        char req[DESC_REQUEST_MAX];
        const char *reply;
        size_t rlen;
        snprintf(req, sizeof(req), "qXfer:features:read:%s:%zx,%x", annex, len, DESC_CHUNK);
        if (rsp_request(p->c, req, p->timeout_ms, &reply, &rlen) < 0) {
            snprintf(p->err, p->errlen, "reading %s: %s", annex, rsp_error(p->c));
            break;
        }
        if (rlen == 0 || (reply[0] != 'm' && reply[0] != 'l')) {
            snprintf(p->err, p->errlen, "reading %s: reply '%.40s'", annex, reply);
            break;
        }
        /* The decoded chunk is never longer than the reply. */
        char *grown = len + rlen < DESC_MAX_DOC ? realloc(doc, len + rlen + 1) : NULL;
        if (!grown) {
            snprintf(p->err, p->errlen, "reading %s: too large or out of memory", annex);
            break;
        }
        doc = grown;
        size_t n = binary_decode(reply + 1, rlen - 1, (uint8_t *)doc + len, rlen);
        len += n;
        doc[len] = '\0';
        if (reply[0] == 'l' || n == 0)
            return doc;
    }
    free(doc);
    return NULL;
}

/* The value of attribute `name` inside the tag [tag, end). */
static bool tag_attr(const char *tag, const char *end, const char *name, char *out, size_t outlen)
{
    size_t n = strlen(name);
    for (const char *q = tag + 1; q + n + 2 < end; q++) {
        if ((q[-1] != ' ' && q[-1] != '\t' && q[-1] != '\n') || strncmp(q, name, n) != 0 ||
            q[n] != '=' || (q[n + 1] != '"' && q[n + 1] != '\''))
            continue;
        const char *v = q + n + 2, *close = memchr(v, q[n + 1], (size_t)(end - v));
        if (!close || (size_t)(close - v) >= outlen)
            return false;
        memcpy(out, v, (size_t)(close - v));
        out[close - v] = '\0';
        return true;
    }
    return false;
}

static int parse_doc(struct desc_parse *p, const char *doc, int depth);

static int parse_include(struct desc_parse *p, const char *tag, const char *end, int depth)
{
    char href[DESC_ATTR_MAX];
    if (!tag_attr(tag, end, "href", href, sizeof(href))) {
        snprintf(p->err, p->errlen, "xi:include without href");
        return -1;
    }
    if (depth >= DESC_MAX_DEPTH) {
        snprintf(p->err, p->errlen, "includes nested too deeply at %s", href);
        return -1;
    }
    char *doc = fetch_annex(p, href);
    if (!doc)
        return -1;
    int rc = parse_doc(p, doc, depth + 1);
    free(doc);
    return rc;
}

static int parse_reg(struct desc_parse *p, const char *tag, const char *end)
{
    char name[DESC_ATTR_MAX], bits[DESC_ATTR_MAX], num[DESC_ATTR_MAX];
    if (!tag_attr(tag, end, "name", name, sizeof(name)) ||
        !tag_attr(tag, end, "bitsize", bits, sizeof(bits))) {
        snprintf(p->err, p->errlen, "<reg> without name or bitsize");
        return -1;
    }
    if (tag_attr(tag, end, "regnum", num, sizeof(num)))
        p->next_regnum = atoi(num);
    if (p->nregs == DESC_MAX_REGS) {
        snprintf(p->err, p->errlen, "more than %d registers", DESC_MAX_REGS);
        return -1;
    }
    struct desc_reg *r = &p->regs[p->nregs++];
    r->regnum = p->next_regnum++;
    r->size = (unsigned)atoi(bits) / 8;
    snprintf(r->name, sizeof(r->name), "%.15s", name);
    return 0;
}

static int parse_doc(struct desc_parse *p, const char *doc, int depth)
{
    for (const char *t = strchr(doc, '<'); t; t = strchr(t + 1, '<')) {
        const char *end = strchr(t, '>');
        if (!end)
            break;
        if (strncmp(t, "<xi:include", 11) == 0 && parse_include(p, t, end, depth) < 0)
            return -1;
        if (strncmp(t, "<reg", 4) == 0 && (t[4] == ' ' || t[4] == '\n' || t[4] == '\t') &&
            parse_reg(p, t, end) < 0)
            return -1;
        if (strncmp(t, "<architecture>", 14) == 0) {
            const char *a = t + 14, *close = strchr(a, '<');
            if (close)
                snprintf(p->d->arch, sizeof(p->d->arch), "%.*s", (int)(close - a), a);
        }
    }
    return 0;
}

/* The pc's number, size and offset in 'g' (every register numbered below it must exist). */
static int find_pc(struct desc_parse *p)
{
    struct target_desc *d = p->d;
    const struct desc_reg *pc = NULL;
    for (size_t n = 0; n < sizeof(pc_names) / sizeof(*pc_names) && !pc; n++)
        for (int i = 0; i < p->nregs && !pc; i++)
            if (strcmp(p->regs[i].name, pc_names[n]) == 0)
                pc = &p->regs[i];
    if (!pc) {
        snprintf(p->err, p->errlen, "no rip/eip/pc register in the target description");
        return -1;
    }
    size_t offset = 0;
    for (int n = 0; n < pc->regnum; n++) {
        int i = 0;
        while (i < p->nregs && p->regs[i].regnum != n)
            i++;
        if (i == p->nregs) {
            snprintf(p->err, p->errlen, "register %d missing before the pc", n);
            return -1;
        }
        offset += p->regs[i].size;
    }
    snprintf(d->pc_name, sizeof(d->pc_name), "%s", pc->name);
    d->pc_regnum = pc->regnum;
    d->pc_size = pc->size;
    d->pc_offset = offset;
    d->nregs = p->nregs;
    return 0;
}

int target_desc_fetch(struct rsp_conn *c, int timeout_ms, struct target_desc *d, char *err,
                      size_t errlen)
{
    struct desc_parse *p = calloc(1, sizeof(*p));
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memset(d, 0, sizeof(*d));
    *p =
        (struct desc_parse){.c = c, .timeout_ms = timeout_ms, .d = d, .err = err, .errlen = errlen};
    char *doc = fetch_annex(p, DESC_ROOT_ANNEX);
    int rc = doc ? parse_doc(p, doc, 0) : -1;
    if (rc == 0)
        rc = find_pc(p);
    free(doc);
    free(p);
    return rc;
}
