/* stub/server.c — the serve loop: one poll() over the listening socket, the debugger's
 * connection, the target's stop_fd and refused second connections. Implements stub/stub.h.
 */
#include "stub/stub.h"

#include "stub/conn.h"
#include "stub/packet.h"
#include "stub/session.h"
#include "stub/transport.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Bytes read from the debugger per wakeup. */
#define SERVER_READ_CHUNK (64 * 1024)
/* Second connections waiting for their first packet to be refused, and how long they may. */
#define SERVER_REFUSED_MAX        4
#define SERVER_REFUSED_TIMEOUT_MS 5000
#define SERVER_REFUSED_PACKET_CAP 4096
#define SERVER_REFUSAL_TEXT       "E.another debugger is already attached to this kvmstub"

struct stub_server {
    struct transport_listener listener;
};

struct refused {
    int fd; /* -1: slot free */
    struct packet_decoder dec;
    long long deadline_ms;
};

/* One stub_server_run(): who is attached and what the target is doing. */
struct server_run {
    struct stub_server *srv;
    struct target *t;
    struct conn *client;
    struct session *sess; /* NULL while no session (none, or attach_pending) */
    bool attach_pending;  /* client connected; waiting for the target to stop first */
    bool target_running;  /* running, and no session waits for its stop */
    bool stopping;        /* interrupt() sent, stop not taken yet */
    struct refused refused[SERVER_REFUSED_MAX];
    char *buf;
    bool done;
    int status;
};

struct stub_server *stub_server_listen(const char *address)
{
    struct transport_addr addr;
    const char *why;
    if (transport_parse(address, &addr, &why) < 0) {
        fprintf(stderr, "kvmstub: gdb address '%s': %s\n", address ? address : "", why);
        return NULL;
    }
    struct stub_server *s = calloc(1, sizeof(*s));
    if (!s) {
        fprintf(stderr, "kvmstub: gdb server: out of memory\n");
        return NULL;
    }
    if (transport_listen(&addr, &s->listener, &why) < 0) {
        fprintf(stderr, "kvmstub: listen on '%s': %s\n", address, why);
        free(s);
        return NULL;
    }
    if (transport_reachable_from_outside(&s->listener))
        fprintf(stderr,
                "kvmstub: warning: gdb listens on %s, which is not loopback: whoever can reach "
                "it controls the guest (use 127.0.0.1, [::1] or unix:PATH to keep it local)\n",
                s->listener.name);
    fprintf(stderr, "kvmstub: waiting for gdb on %s\n", s->listener.name);
    fflush(stderr);
    return s;
}

const char *stub_server_address(const struct stub_server *s)
{
    return s->listener.name;
}

void stub_server_close(struct stub_server *s)
{
    if (!s)
        return;
    transport_close(&s->listener);
    free(s);
}

static long long server_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const struct target_ops *ops(const struct server_run *r)
{
    return r->t->ops;
}

static void server_announce(const struct server_run *r)
{
    fprintf(stderr, "kvmstub: waiting for gdb on %s\n", r->srv->listener.name);
    fflush(stderr);
}

static void server_end(struct server_run *r, int status)
{
    r->done = true;
    r->status = status;
}

/* ---- the attached debugger ---- */

static void server_start_session(struct server_run *r)
{
    r->attach_pending = false;
    r->sess = session_new(r->t, conn_send, r->client);
    if (!r->sess) {
        fprintf(stderr, "kvmstub: gdb session: out of memory or unknown target architecture\n");
        conn_free(r->client);
        r->client = NULL;
    }
}

/* The connection is gone (or done): a running target is stopped again, unless it was
 * detached (it runs on) or killed (its end is awaited). */
static void server_drop_client(struct server_run *r, const char *what)
{
    if (r->sess) {
        enum session_state st = session_state(r->sess);
        if (st == SESSION_DETACHED) {
            r->target_running = true;
        } else if (session_target_running(r->sess)) {
            r->target_running = true;
            if (st != SESSION_KILLED && !r->stopping) {
                ops(r)->interrupt(r->t->ctx);
                r->stopping = true;
            }
        }
        session_free(r->sess);
        r->sess = NULL;
    }
    r->attach_pending = false;
    fprintf(stderr, "kvmstub: gdb %s\n", what);
    conn_free(r->client);
    r->client = NULL;
    if (!r->done)
        server_announce(r);
}

/* The connection broke (or the debugger stopped reading): say why. */
static void server_drop_broken(struct server_run *r)
{
    char what[160];
    snprintf(what, sizeof(what), "dropped: %s", conn_why(r->client));
    server_drop_client(r, what);
}

/* Read and serve what the debugger sent; false when there was nothing to read. */
static bool server_client_input(struct server_run *r, short revents)
{
    if (!r->sess) {
        /* Waiting for the target to stop: leave its requests queued in the socket. */
        if (revents & (POLLERR | POLLHUP))
            server_drop_client(r, "disconnected");
        return false;
    }
    ssize_t n = conn_recv(r->client, r->buf, SERVER_READ_CHUNK);
    if (n < 0)
        return false; /* nothing yet */
    if (n > 0)
        session_feed(r->sess, r->buf, (size_t)n);
    if (n == 0) {
        char what[160];
        snprintf(what, sizeof(what), "disconnected (%s)", conn_why(r->client));
        server_drop_client(r, what);
        return true;
    }
    switch (session_state(r->sess)) {
    case SESSION_DETACHED:
        conn_flush(r->client);
        server_drop_client(r, "detached; the guest runs on");
        break;
    case SESSION_BROKEN:
        if (conn_broken(r->client))
            server_drop_broken(r);
        else
            server_drop_client(r, "dropped: the session failed");
        break;
    default: break;
    }
    return true;
}

/* ---- the target ---- */

static void server_target_stopped(struct server_run *r)
{
    struct stop_event ev;
    if (r->sess && session_target_running(r->sess)) {
        session_target_stopped(r->sess);
        if (session_state(r->sess) == SESSION_EXITED) {
            conn_flush(r->client);
            server_end(r, session_exit_status(r->sess));
        }
        return;
    }
    if (!ops(r)->get_stop(r->t->ctx, &ev))
        return;
    if (ev.kind == STOP_EXITED || ev.kind == STOP_TERMINATED) {
        server_end(r, session_status_of_stop(&ev));
        return;
    }
    bool expected = r->stopping;
    r->target_running = r->stopping = false;
    if (r->attach_pending)
        server_start_session(r);
    else if (!expected)
        fprintf(stderr,
                "kvmstub: the guest stopped (signal %d) with no debugger attached; it "
                "waits for gdb\n",
                ev.signal);
}

/* ---- connections ---- */

static void server_refuse(struct server_run *r, int fd)
{
    fprintf(stderr, "kvmstub: refused a second gdb connection: another debugger is attached\n");
    for (int i = 0; i < SERVER_REFUSED_MAX; i++) {
        struct refused *f = &r->refused[i];
        if (f->fd >= 0)
            continue;
        if (packet_decoder_init(&f->dec, SERVER_REFUSED_PACKET_CAP) < 0)
            break;
        f->fd = fd;
        f->deadline_ms = server_now_ms() + SERVER_REFUSED_TIMEOUT_MS;
        return;
    }
    close(fd); /* too many at once: no explanation */
}

static void server_refused_close(struct refused *f)
{
    close(f->fd);
    packet_decoder_free(&f->dec);
    f->fd = -1;
}

/* Wait for the refused debugger's first packet, answer it with the refusal, close. */
static void server_refused_input(struct server_run *r, struct refused *f)
{
    ssize_t n = recv(f->fd, r->buf, SERVER_READ_CHUNK, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    const char *p = r->buf;
    while (n > 0) {
        enum packet_event ev;
        size_t used = packet_decode_feed(&f->dec, p, (size_t)n, &ev);
        p += used;
        n -= (ssize_t)used;
        if (ev == PACKET_EV_DATA || ev == PACKET_EV_OVERSIZED || ev == PACKET_EV_BAD_CHECKSUM) {
            char reply[sizeof(SERVER_REFUSAL_TEXT) + 8] = "+";
            size_t len = 1 + packet_frame_str(reply + 1, sizeof(reply) - 1, SERVER_REFUSAL_TEXT);
            send(f->fd, reply, len, MSG_NOSIGNAL | MSG_DONTWAIT);
            break;
        }
        if (n == 0)
            return; /* no packet yet */
    }
    server_refused_close(f);
}

static void server_accept(struct server_run *r)
{
    int fd = transport_accept(&r->srv->listener);
    if (fd < 0)
        return;
    /* The attached debugger may be gone with its last bytes still unread (a script that
     * closes and reconnects at once): read to the end before calling the newcomer second. */
    while (r->client && server_client_input(r, 0) && r->client && !conn_broken(r->client))
        ;
    if (r->client && conn_broken(r->client))
        server_drop_broken(r);
    if (r->done) {
        close(fd);
        return;
    }
    if (r->client) {
        server_refuse(r, fd);
        return;
    }
    r->client = conn_new(fd);
    if (!r->client)
        return;
    fprintf(stderr, "kvmstub: gdb connected\n");
    if (r->target_running || r->stopping) {
        if (!r->stopping) {
            ops(r)->interrupt(r->t->ctx);
            r->stopping = true;
        }
        r->attach_pending = true;
    } else {
        server_start_session(r);
    }
}

/* ---- the loop ---- */

enum {
    POLL_LISTEN,
    POLL_CLIENT,
    POLL_STOP,
    POLL_REFUSED,
    POLL_MAX = POLL_REFUSED + SERVER_REFUSED_MAX
};

static bool server_wants_stop(const struct server_run *r)
{
    return r->sess ? session_target_running(r->sess) : r->target_running;
}

static int server_poll(struct server_run *r, struct pollfd *fds)
{
    long long now = server_now_ms(), timeout = -1;
    for (int i = 0; i < POLL_MAX; i++)
        fds[i] = (struct pollfd){.fd = -1};
    fds[POLL_LISTEN] = (struct pollfd){.fd = r->srv->listener.fd, .events = POLLIN};
    if (r->client) {
        short ev = 0;
        if (r->sess && conn_queued(r->client) < CONN_OUT_HIGH)
            ev |= POLLIN;
        if (conn_queued(r->client))
            ev |= POLLOUT;
        fds[POLL_CLIENT] = (struct pollfd){.fd = conn_fd(r->client), .events = ev};
    }
    if (server_wants_stop(r))
        fds[POLL_STOP] = (struct pollfd){.fd = ops(r)->stop_fd(r->t->ctx), .events = POLLIN};
    for (int i = 0; i < SERVER_REFUSED_MAX; i++) {
        const struct refused *f = &r->refused[i];
        if (f->fd < 0)
            continue;
        fds[POLL_REFUSED + i] = (struct pollfd){.fd = f->fd, .events = POLLIN};
        long long left = f->deadline_ms > now ? f->deadline_ms - now : 0;
        if (timeout < 0 || left < timeout)
            timeout = left;
    }
    return poll(fds, POLL_MAX, (int)timeout);
}

int stub_server_run(struct stub_server *s, struct target *t, bool target_running)
{
    struct server_run r = {
        .srv = s,
        .t = t,
        .target_running = target_running,
        .buf = malloc(SERVER_READ_CHUNK),
    };
    for (int i = 0; i < SERVER_REFUSED_MAX; i++)
        r.refused[i].fd = -1;
    if (!r.buf) {
        fprintf(stderr, "kvmstub: gdb server: out of memory\n");
        return 1;
    }
    while (!r.done) {
        struct pollfd fds[POLL_MAX];
        if (server_poll(&r, fds) < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "kvmstub: gdb server: poll: %s\n", strerror(errno));
            server_end(&r, 1);
            break;
        }
        if (fds[POLL_STOP].revents)
            server_target_stopped(&r);
        if (!r.done && r.client && fds[POLL_CLIENT].revents) {
            if (fds[POLL_CLIENT].revents & POLLOUT)
                conn_flush(r.client);
            if (fds[POLL_CLIENT].revents & ~POLLOUT)
                server_client_input(&r, fds[POLL_CLIENT].revents);
            if (r.client && conn_broken(r.client))
                server_drop_broken(&r);
            /* A resume may have stopped already (a target can run a single-step inside
             * resume): take that stop now rather than after a trip through poll(). */
            if (!r.done && r.sess && session_target_running(r.sess))
                server_target_stopped(&r);
        }
        if (!r.done && (fds[POLL_LISTEN].revents & POLLIN))
            server_accept(&r);
        long long now = server_now_ms();
        for (int i = 0; i < SERVER_REFUSED_MAX; i++) {
            struct refused *f = &r.refused[i];
            if (f->fd >= 0 && fds[POLL_REFUSED + i].fd == f->fd && fds[POLL_REFUSED + i].revents)
                server_refused_input(&r, f);
            if (f->fd >= 0 && now >= f->deadline_ms)
                server_refused_close(f);
        }
    }
    for (int i = 0; i < SERVER_REFUSED_MAX; i++)
        if (r.refused[i].fd >= 0)
            server_refused_close(&r.refused[i]);
    session_free(r.sess);
    conn_free(r.client);
    free(r.buf);
    return r.status;
}
