/* bench/rtt_floor.c — the request/reply floor. Implements rtt_floor.h. */
#include "bench/rtt_floor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/clock.h"
#include "bench/rsp_client.h"

#define FLOOR_HOST       "127.0.0.1"
#define FLOOR_TIMEOUT_MS 10000
#define FLOOR_READ_MAX   4096
#define FLOOR_FILL_CHAR  '0'
#define FLOOR_END        '#'

/* "$000...0#cs" with len zeros. */
static char *floor_reply(size_t len, size_t *total)
{
    char *r = malloc(len + 4);
    if (!r)
        return NULL;
    r[0] = '$';
    memset(r + 1, FLOOR_FILL_CHAR, len);
    snprintf(r + 1 + len, 4, "#%02x", (unsigned)((len * (uint8_t)FLOOR_FILL_CHAR) & 0xff));
    *total = len + 4;
    return r;
}

/* The server: every '#' that ends a request (its two checksum characters are not looked at)
 * gets the reply. Runs until the client hangs up. */
static void floor_serve(int listen_fd, const char *reply, size_t reply_len)
{
    int one = 1, fd = accept(listen_fd, NULL, NULL);
    char buf[FLOOR_READ_MAX];
    if (fd < 0)
        _exit(1);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, -1) < 0 && errno != EINTR)
            _exit(1);
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            _exit(0);
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] == FLOOR_END && send(fd, reply, reply_len, MSG_NOSIGNAL) < 0)
                _exit(1);
    }
}

int rtt_floor_measure(int count, size_t reply_len, double *us, char *err, size_t errlen)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    size_t total;
    char *reply = floor_reply(reply_len, &total);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (!reply || fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) < 0) {
        snprintf(err, errlen, "server socket: %s", reply ? strerror(errno) : "out of memory");
        free(reply);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0)
        floor_serve(fd, reply, total);
    close(fd);
    free(reply);
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    int rc = -1;
    struct rsp_conn *c = rsp_connect(FLOOR_HOST, ntohs(a.sin_port), err, errlen);
    if (c) {
        const char *r;
        size_t len;
        rsp_set_no_ack(c); /* the server never acknowledges */
        double t0 = clock_now_us();
        int i = 0;
        while (i < count && rsp_request(c, "g", FLOOR_TIMEOUT_MS, &r, &len) == 0 &&
               len == reply_len)
            i++;
        if (i == count) {
            *us = (clock_now_us() - t0) / count;
            rc = 0;
        } else {
            snprintf(err, errlen, "round trip %d: %s", i + 1, rsp_error(c));
        }
        rsp_close(c);
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    return rc;
}
