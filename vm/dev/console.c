/* vm/dev/console.c — console backends: stdio, none, file, tcp. */
#include "vm/dev/console.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/diag.h"

#define CONSOLE_WRITE_TIMEOUT_MS 1000

static int console_open_tcp(struct console *c, const char *where)
{
    char host[64] = "127.0.0.1";
    const char *port = where;
    const char *colon = strrchr(where, ':');
    if (colon) {
        size_t n = colon - where;
        if (n >= sizeof(host)) {
            diag("--console tcp: host name too long");
            return -1;
        }
        if (n) {
            memcpy(host, where, n);
            host[n] = 0;
        }
        port = colon + 1;
    }
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host) - 2);
        host[strlen(host) - 2] = 0;
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (!*port || rc != 0) {
        diag("--console tcp:%s: bad address: %s", where, *port ? gai_strerror(rc) : "no port");
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 1) < 0) {
        diag_errno("--console tcp:%s: cannot listen", where);
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    c->listen_fd = fd;
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    unsigned bound = 0;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
        bound = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                               : ((struct sockaddr_in *)&ss)->sin_port);
    snprintf(c->address, sizeof(c->address), strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, bound);
    diag("console on tcp %s (one client at a time)", c->address);
    return 0;
}

int console_open(struct console *c, const char *spec)
{
    memset(c, 0, sizeof(*c));
    c->out_fd = c->in_fd = c->listen_fd = -1;
    pthread_mutex_init(&c->lock, NULL);
    if (!spec || strcmp(spec, "stdio") == 0) {
        c->kind = CONSOLE_STDIO;
        c->out_fd = STDOUT_FILENO;
        c->in_fd = STDIN_FILENO;
        return 0;
    }
    if (strcmp(spec, "none") == 0) {
        c->kind = CONSOLE_NONE;
        return 0;
    }
    if (strncmp(spec, "file:", 5) == 0 && spec[5]) {
        c->kind = CONSOLE_FILE;
        c->out_fd = open(spec + 5, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (c->out_fd < 0)
            return diag_errno("--console %s: cannot open", spec);
        return 0;
    }
    if (strncmp(spec, "tcp:", 4) == 0) {
        c->kind = CONSOLE_TCP;
        return console_open_tcp(c, spec + 4);
    }
    diag("--console %s: expected stdio, none, file:PATH or tcp:[HOST:]PORT", spec);
    return -1;
}

/* tcp: take a waiting client (the first one; later ones wait in the backlog). */
static void console_accept(struct console *c)
{
    if (c->kind != CONSOLE_TCP || c->out_fd >= 0)
        return;
    struct pollfd p = {.fd = c->listen_fd, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0)
        return;
    int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0)
        return;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->out_fd = c->in_fd = fd;
}

static void console_drop_client(struct console *c)
{
    if (c->kind == CONSOLE_TCP && c->out_fd >= 0) {
        close(c->out_fd);
        c->out_fd = c->in_fd = -1;
    }
}

void console_write(struct console *c, const void *buf, size_t len)
{
    pthread_mutex_lock(&c->lock);
    console_accept(c);
    const char *p = buf;
    while (len > 0 && c->out_fd >= 0) {
        ssize_t n = c->kind == CONSOLE_TCP ? send(c->out_fd, p, len, MSG_NOSIGNAL)
                                           : write(c->out_fd, p, len);
        if (n > 0) {
            p += n;
            len -= n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            struct pollfd pfd = {.fd = c->out_fd, .events = POLLOUT};
            if (poll(&pfd, 1, CONSOLE_WRITE_TIMEOUT_MS) <= 0)
                console_drop_client(c); /* a client that stopped reading loses its seat */
        } else {
            if (c->kind == CONSOLE_TCP)
                console_drop_client(c);
            else
                c->out_fd = -1; /* stdout closed: keep the guest running, drop output */
        }
    }
    pthread_mutex_unlock(&c->lock);
}

int console_input_fd(struct console *c)
{
    pthread_mutex_lock(&c->lock);
    console_accept(c);
    int fd = c->kind == CONSOLE_TCP && c->in_fd < 0 ? c->listen_fd : c->in_fd;
    pthread_mutex_unlock(&c->lock);
    return fd;
}

long console_read(struct console *c, void *buf, size_t len)
{
    pthread_mutex_lock(&c->lock);
    console_accept(c);
    int fd = c->in_fd;
    pthread_mutex_unlock(&c->lock);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, len);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        pthread_mutex_lock(&c->lock);
        if (c->kind == CONSOLE_TCP)
            console_drop_client(c);
        else
            c->in_fd = -1;
        pthread_mutex_unlock(&c->lock);
        return n == 0 ? 0 : -1;
    }
    return n < 0 ? -1 : n;
}

void console_make_raw(struct console *c)
{
    if (c->kind != CONSOLE_STDIO || !isatty(STDIN_FILENO) || c->tty_raw)
        return;
    if (tcgetattr(STDIN_FILENO, &c->saved_tty) < 0)
        return;
    struct termios raw = c->saved_tty;
    cfmakeraw(&raw);
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
        c->tty_raw = true;
}

void console_restore_tty(struct console *c)
{
    if (c->tty_raw) {
        tcsetattr(STDIN_FILENO, TCSANOW, &c->saved_tty);
        c->tty_raw = false;
    }
}

void console_close(struct console *c)
{
    console_restore_tty(c);
    if (c->kind == CONSOLE_FILE && c->out_fd >= 0)
        close(c->out_fd);
    console_drop_client(c);
    if (c->listen_fd >= 0)
        close(c->listen_fd);
    c->out_fd = c->in_fd = c->listen_fd = -1;
}
