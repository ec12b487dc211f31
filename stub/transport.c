/* stub/transport.c — parse the --gdb address, listen on TCP or a unix socket, accept. */
#include "stub/transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define TRANSPORT_UNIX_PREFIX "unix:"
#define TRANSPORT_PORT_MAX    65535
#define TRANSPORT_BACKLOG     8
/* The unix socket's mode: only its owner may connect. */
#define TRANSPORT_UNIX_MODE 0600

static int transport_parse_port(const char *s, unsigned *port, const char **why)
{
    unsigned long v = 0;
    if (!*s) {
        *why = "missing port";
        return -1;
    }
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') {
            *why = "port is not a number";
            return -1;
        }
        v = v * 10 + (unsigned long)(*p - '0');
        if (v > TRANSPORT_PORT_MAX) {
            *why = "port out of range (0-65535)";
            return -1;
        }
    }
    *port = (unsigned)v;
    return 0;
}

static int transport_set_host(struct transport_addr *a, const char *host, size_t len,
                              const char **why)
{
    if (len >= sizeof(a->host)) {
        *why = "host name too long";
        return -1;
    }
    memcpy(a->host, host, len);
    a->host[len] = '\0';
    return 0;
}

int transport_parse(const char *spec, struct transport_addr *a, const char **why)
{
    memset(a, 0, sizeof(*a));
    if (!spec || !*spec) {
        *why = "empty address";
        return -1;
    }
    if (strncmp(spec, TRANSPORT_UNIX_PREFIX, strlen(TRANSPORT_UNIX_PREFIX)) == 0) {
        const char *path = spec + strlen(TRANSPORT_UNIX_PREFIX);
        a->kind = TRANSPORT_UNIX;
        if (!*path) {
            *why = "empty unix socket path";
            return -1;
        }
        if (strlen(path) >= sizeof(a->path)) {
            *why = "unix socket path too long";
            return -1;
        }
        strcpy(a->path, path);
        return 0;
    }
    a->kind = TRANSPORT_TCP;
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close) {
            *why = "missing ']' after IPv6 address";
            return -1;
        }
        if (close == spec + 1) {
            *why = "empty IPv6 address";
            return -1;
        }
        if (close[1] != ':') {
            *why = "expected ':PORT' after ']'";
            return -1;
        }
        if (transport_set_host(a, spec + 1, (size_t)(close - spec - 1), why) < 0)
            return -1;
        return transport_parse_port(close + 2, &a->port, why);
    }
    const char *colon = strrchr(spec, ':');
    if (!colon) {
        strcpy(a->host, TRANSPORT_DEFAULT_HOST);
        return transport_parse_port(spec, &a->port, why);
    }
    if (memchr(spec, ':', (size_t)(colon - spec))) {
        *why = "IPv6 addresses need brackets, e.g. [::1]:1234";
        return -1;
    }
    if (colon == spec)
        strcpy(a->host, TRANSPORT_DEFAULT_HOST);
    else if (transport_set_host(a, spec, (size_t)(colon - spec), why) < 0)
        return -1;
    return transport_parse_port(colon + 1, &a->port, why);
}

/* "HOST:PORT" / "[HOST]:PORT" of a bound socket. */
static void transport_name_tcp(int fd, char *name, size_t len)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *in = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
            port = ntohs(in->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
            port = ntohs(in6->sin6_port);
        }
    }
    snprintf(name, len, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, port);
}

static int transport_listen_tcp(const struct transport_addr *a, struct transport_listener *l,
                                const char **why)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res;
    char port[8];
    snprintf(port, sizeof(port), "%u", a->port);
    int gai = getaddrinfo(a->host, port, &hints, &res);
    if (gai != 0) {
        *why = gai == EAI_SYSTEM ? strerror(errno) : gai_strerror(gai);
        return -1;
    }
    int fd = -1, err = EADDRNOTAVAIL;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int one = 1;
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            err = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, TRANSPORT_BACKLOG) == 0)
            break;
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        *why = strerror(err);
        return -1;
    }
    l->fd = fd;
    transport_name_tcp(fd, l->name, sizeof(l->name));
    return 0;
}

/* A socket file nobody listens on any more (left by a kvmstub that was killed). */
static bool transport_unix_stale(const struct sockaddr_un *sa)
{
    struct stat st;
    if (lstat(sa->sun_path, &st) != 0 || !S_ISSOCK(st.st_mode))
        return false;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    bool stale = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 && errno == ECONNREFUSED;
    close(fd);
    return stale;
}

static int transport_listen_unix(const struct transport_addr *a, struct transport_listener *l,
                                 const char **why)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, a->path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *why = strerror(errno);
        return -1;
    }
    /* The socket file gets its mode at bind(); a umask makes it 0600 from the start, so there
     * is no moment where others could connect. */
    mode_t old = umask(0777 & ~TRANSPORT_UNIX_MODE);
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    if (rc < 0 && errno == EADDRINUSE && transport_unix_stale(&sa) && unlink(sa.sun_path) == 0)
        rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    int err = errno;
    umask(old);
    if (rc < 0 || chmod(sa.sun_path, TRANSPORT_UNIX_MODE) < 0 ||
        listen(fd, TRANSPORT_BACKLOG) < 0) {
        err = rc < 0 ? err : errno;
        if (rc == 0)
            unlink(sa.sun_path);
        close(fd);
        *why = err == EADDRINUSE ? "address in use (another kvmstub is listening there?)"
                                 : strerror(err);
        return -1;
    }
    l->fd = fd;
    snprintf(l->path, sizeof(l->path), "%s", a->path);
    snprintf(l->name, sizeof(l->name), TRANSPORT_UNIX_PREFIX "%s", a->path);
    return 0;
}

int transport_listen(const struct transport_addr *a, struct transport_listener *l, const char **why)
{
    memset(l, 0, sizeof(*l));
    l->fd = -1;
    l->kind = a->kind;
    return a->kind == TRANSPORT_UNIX ? transport_listen_unix(a, l, why)
                                     : transport_listen_tcp(a, l, why);
}

bool transport_reachable_from_outside(const struct transport_listener *l)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (l->fd < 0 || getsockname(l->fd, (struct sockaddr *)&ss, &len) < 0)
        return false;
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
        return (ntohl(in->sin_addr.s_addr) >> 24) != 127; /* 127.0.0.0/8 is loopback */
    }
    if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
        return !IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) &&
               !(IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127);
    }
    return false; /* unix sockets: the file's mode decides (0600) */
}

void transport_close(struct transport_listener *l)
{
    if (l->fd >= 0)
        close(l->fd);
    if (l->kind == TRANSPORT_UNIX && l->path[0])
        unlink(l->path);
    l->fd = -1;
    l->path[0] = '\0';
}

int transport_accept(const struct transport_listener *l)
{
    int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0 && l->kind == TRANSPORT_TCP) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    return fd;
}
