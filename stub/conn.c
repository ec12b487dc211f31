/* stub/conn.c — a debugger connection's socket I/O: non-blocking, bounded output queue. */
#include "stub/conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct conn {
    int fd;
    char *out; /* queued output: [head, len) is still to be sent */
    size_t head, len, cap;
    bool broken;
    const char *why;
};

struct conn *conn_new(int fd)
{
    struct conn *c = calloc(1, sizeof(*c));
    if (!c) {
        close(fd);
        return NULL;
    }
    c->fd = fd;
    return c;
}

void conn_free(struct conn *c)
{
    if (!c)
        return;
    close(c->fd);
    free(c->out);
    free(c);
}

int conn_fd(const struct conn *c)
{
    return c->fd;
}

static void conn_break(struct conn *c, const char *why)
{
    if (!c->broken) {
        c->broken = true;
        c->why = why;
    }
}

/* Send as much of data as the socket takes now; returns the bytes sent, or -1 if broken. */
static ssize_t conn_send_now(struct conn *c, const char *data, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = send(c->fd, data + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        conn_break(c, n < 0 ? strerror(errno) : "connection closed");
        return -1;
    }
    return (ssize_t)done;
}

static int conn_queue(struct conn *c, const char *data, size_t len)
{
    if (c->len - c->head + len > CONN_OUT_LIMIT) {
        conn_break(c, "the debugger is not reading its replies");
        return -1;
    }
    if (c->head && c->len + len > c->cap) {
        memmove(c->out, c->out + c->head, c->len - c->head);
        c->len -= c->head;
        c->head = 0;
    }
    if (c->len + len > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < c->len + len)
            cap *= 2;
        char *n = realloc(c->out, cap);
        if (!n) {
            conn_break(c, "out of memory");
            return -1;
        }
        c->out = n;
        c->cap = cap;
    }
    memcpy(c->out + c->len, data, len);
    c->len += len;
    return 0;
}

int conn_send(void *conn, const void *data, size_t len)
{
    struct conn *c = conn;
    if (c->broken)
        return -1;
    if (c->head == c->len) {
        ssize_t n = conn_send_now(c, data, len);
        if (n < 0)
            return -1;
        data = (const char *)data + n;
        len -= (size_t)n;
    }
    return len ? conn_queue(c, data, len) : 0;
}

int conn_flush(struct conn *c)
{
    if (c->broken)
        return -1;
    ssize_t n = conn_send_now(c, c->out + c->head, c->len - c->head);
    if (n < 0)
        return -1;
    c->head += (size_t)n;
    if (c->head == c->len)
        c->head = c->len = 0;
    return 0;
}

size_t conn_queued(const struct conn *c)
{
    return c->len - c->head;
}

ssize_t conn_recv(struct conn *c, void *buf, size_t cap)
{
    if (c->broken)
        return 0;
    for (;;) {
        ssize_t n = recv(c->fd, buf, cap, MSG_DONTWAIT);
        if (n > 0)
            return n;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return -1;
        conn_break(c, n < 0 ? strerror(errno) : "connection closed");
        return 0;
    }
}

bool conn_broken(const struct conn *c)
{
    return c->broken;
}

const char *conn_why(const struct conn *c)
{
    return c->why;
}
