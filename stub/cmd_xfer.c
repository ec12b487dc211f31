/* stub/cmd_xfer.c — qXfer reads: target.xml (features), the thread list with each thread's name
 * and state (threads, what gdb's `info threads` shows), and the path of the file the target
 * was booted from (exec-file, so gdb finds the symbols by itself). Each object goes out in the
 * chunks gdb asks for: "m" + data when more follows, "l" + data at the end.
 */
#include "stub/session_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The only qXfer:features annex we serve. */
#define FEATURES_ANNEX "target.xml"
/* The thread list's room per thread beyond its name and state (tags, id, escapes' slack). */
#define THREADS_XML_PER_THREAD 64
/* An XML character escape is at most this long ("&quot;"). */
#define XML_ESCAPE_MAX 6

static bool annex_is(const struct cmd_arg *annex, const char *name)
{
    return annex->len == strlen(name) && memcmp(annex->str, name, annex->len) == 0;
}

/* The exec-file annex is a process id (hex), or empty for the current process. */
static bool annex_is_pid(const struct cmd_arg *annex)
{
    for (size_t i = 0; i < annex->len; i++)
        if (hex_digit_value(annex->str[i]) < 0)
            return false;
    return true;
}

/* Append text to buf at *pos, XML-escaped, as far as cap allows (cap leaves room for it). */
static void xml_put_escaped(char *buf, size_t *pos, size_t cap, const char *text)
{
    for (; *text && *pos + XML_ESCAPE_MAX < cap; text++) {
        const char *esc = NULL;
        switch (*text) {
        case '&': esc = "&amp;"; break;
        case '<': esc = "&lt;"; break;
        case '>': esc = "&gt;"; break;
        case '"': esc = "&quot;"; break;
        }
        if (esc) {
            memcpy(buf + *pos, esc, strlen(esc));
            *pos += strlen(esc);
        } else {
            buf[(*pos)++] = *text;
        }
    }
}

/* gdb's threads.dtd: <thread id="1" name="CPU 0">64-bit long mode, stopped</thread> per
 * thread, as the target describes them now. NULL when out of memory. */
static char *threads_xml_build(struct session *s, size_t *len)
{
    static const char head[] = "<?xml version=\"1.0\"?>\n<threads>\n", tail[] = "</threads>\n";
    size_t per = THREADS_XML_PER_THREAD +
                 XML_ESCAPE_MAX * (TARGET_THREAD_NAME_MAX + TARGET_THREAD_STATE_MAX);
    size_t cap = sizeof(head) + sizeof(tail) + (size_t)s->nthreads * per, pos = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    memcpy(buf, head, sizeof(head) - 1);
    pos = sizeof(head) - 1;
    for (int t = 1; t <= s->nthreads; t++) {
        struct target_thread_info info = {"", ""};
        s->target.ops->thread_info(s->target.ctx, t, &info);
        info.name[sizeof(info.name) - 1] = '\0';
        info.state[sizeof(info.state) - 1] = '\0';
        pos += (size_t)snprintf(buf + pos, cap - pos, "<thread id=\"%x\" name=\"", (unsigned)t);
        xml_put_escaped(buf, &pos, cap, info.name);
        pos += (size_t)snprintf(buf + pos, cap - pos, "\">");
        xml_put_escaped(buf, &pos, cap, info.state);
        pos += (size_t)snprintf(buf + pos, cap - pos, "</thread>\n");
    }
    memcpy(buf + pos, tail, sizeof(tail) - 1);
    *len = pos + sizeof(tail) - 1;
    return buf;
}

void cmd_xfer_free(struct session *s)
{
    free(s->threads_xml);
    s->threads_xml = NULL;
    s->threads_xml_len = 0;
}

/* The object's bytes, or NULL after an error reply. */
static const char *xfer_object(struct session *s, int object, const struct cmd_arg *annex,
                               uint64_t off, size_t *len)
{
    switch (object) {
    case XFER_FEATURES:
        if (!annex_is(annex, FEATURES_ANNEX))
            break;
        *len = s->xml_len;
        return s->xml;
    case XFER_THREADS:
        if (annex->len)
            break;
        /* A read from the start takes a new snapshot; the next chunks come from it. */
        if (off == 0 || !s->threads_xml) {
            cmd_xfer_free(s);
            s->threads_xml = threads_xml_build(s, &s->threads_xml_len);
            if (!s->threads_xml) {
                session_reply_error(s, ENOMEM);
                return NULL;
            }
        }
        *len = s->threads_xml_len;
        return s->threads_xml;
    case XFER_EXEC_FILE: {
        const char *path = s->target.ops->exec_file(s->target.ctx);
        if (!annex_is_pid(annex) || !path)
            break;
        *len = strlen(path);
        return path;
    }
    }
    session_reply_str(s, "E00"); /* the manual's reply for an unknown annex */
    return NULL;
}

/* qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH */
void cmd_xfer_read(struct session *s, const struct cmd_args *a, int object)
{
    uint64_t off = a->v[1].u, want = a->v[2].u;
    size_t len;
    const char *data = xfer_object(s, object, &a->v[0], off, &len);
    if (!data)
        return;
    if (off >= len) {
        session_reply_str(s, "l");
        return;
    }
    size_t n = len - (size_t)off;
    if (want > SESSION_PACKET_SIZE / 2) /* room for escapes: a reply never outgrows a packet */
        want = SESSION_PACKET_SIZE / 2;
    if (n > want)
        n = (size_t)want;
    packet_begin(&s->out);
    packet_put(&s->out, off + n < len ? "m" : "l", 1);
    packet_put_binary(&s->out, data + off, n);
    packet_end(&s->out);
}
