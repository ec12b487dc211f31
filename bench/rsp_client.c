/* bench/rsp_client.c — the RSP client's connection and framing. Implements rsp_client.h. */
#include "bench/rsp_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RSP_START        '$'
#define RSP_END          '#'
#define RSP_ACK          '+'
#define RSP_NAK          '-'
#define RSP_RLE          '*'
#define RSP_INTERRUPT    0x03
#define RSP_RLE_OFFSET   29 /* repeat count = count character - 29 */
#define RSP_CHECKSUM_LEN 2
#define RSP_INITIAL_BUF  (256 * 1024)
#define RSP_ERROR_LEN    256

struct rsp_conn {
    int fd;
    bool ack_mode;
    char *in; /* received bytes; [in_pos, in_len) not parsed yet */
    size_t in_pos, in_len, in_cap;
    char *pkt; /* a run-length encoded packet's payload, expanded */
    size_t pkt_len, pkt_cap;
    const char *payload; /* the last packet's payload: in `in` or in `pkt` */
    size_t payload_len;
    char *out; /* the last packet sent, framed (for a retransmission on '-') */
    size_t out_len, out_cap;
    bool broken;
    char error[RSP_ERROR_LEN];
};

static int conn_fail(struct rsp_conn *c, const char *fmt, ...)
{
    va_list ap;
    if (!c->broken) {
        va_start(ap, fmt);
        vsnprintf(c->error, sizeof(c->error), fmt, ap);
        va_end(ap);
    }
    c->broken = true;
    return -1;
}

static bool grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : RSP_INITIAL_BUF;
    while (n < need)
        n *= 2;
    char *p = realloc(*buf, n);
    if (!p)
        return false;
    *buf = p;
    *cap = n;
    return true;
}

struct rsp_conn *rsp_connect(const char *host, unsigned port, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
    char service[16];
    snprintf(service, sizeof(service), "%u", port);
    int gai = getaddrinfo(host, service, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "%s: %s", host, gai_strerror(gai));
        return NULL;
    }
    int fd = -1, why = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            why = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errlen, "connect to %s:%u: %s", host, port, strerror(why));
        return NULL;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct rsp_conn *c = calloc(1, sizeof(*c));
    if (!c || !grow(&c->in, &c->in_cap, RSP_INITIAL_BUF) ||
        !grow(&c->pkt, &c->pkt_cap, RSP_INITIAL_BUF)) {
        snprintf(err, errlen, "out of memory");
        if (c) {
            free(c->in);
            free(c);
        }
        close(fd);
        return NULL;
    }
    c->fd = fd;
    c->ack_mode = true;
    return c;
}

void rsp_close(struct rsp_conn *c)
{
    if (!c)
        return;
    close(c->fd);
    free(c->in);
    free(c->pkt);
    free(c->out);
    free(c);
}

void rsp_set_no_ack(struct rsp_conn *c)
{
    c->ack_mode = false;
}

const char *rsp_error(const struct rsp_conn *c)
{
    return c->error;
}

static int write_all(struct rsp_conn *c, const char *data, size_t len)
{
    while (len) {
        ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return conn_fail(c, "send: %s", n < 0 ? strerror(errno) : "connection closed");
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int rsp_send(struct rsp_conn *c, const char *payload, size_t len)
{
    if (c->broken)
        return -1;
    if (!grow(&c->out, &c->out_cap, len + 4))
        return conn_fail(c, "out of memory");
    uint8_t sum = 0;
    c->out[0] = RSP_START;
    memcpy(c->out + 1, payload, len);
    for (size_t i = 0; i < len; i++)
        sum += (uint8_t)payload[i];
    snprintf(c->out + 1 + len, 4, "#%02x", sum);
    c->out_len = len + 4;
    return write_all(c, c->out, c->out_len);
}

int rsp_send_str(struct rsp_conn *c, const char *payload)
{
    return rsp_send(c, payload, strlen(payload));
}

int rsp_send_interrupt(struct rsp_conn *c)
{
    const char b = RSP_INTERRUPT;
    return c->broken ? -1 : write_all(c, &b, 1);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool rsp_pending(struct rsp_conn *c, int timeout_ms)
{
    if (c->broken)
        return false;
    for (size_t i = c->in_pos; i < c->in_len; i++)
        if (c->in[i] != '+')
            return true;
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        long long left = deadline - now_ms();
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            return false;
        /* Acknowledgements of what was sent (a stub in ack mode) are not a reply: skip them. */
        char peek[64];
        ssize_t n = recv(c->fd, peek, sizeof(peek), MSG_PEEK | MSG_DONTWAIT);
        if (n <= 0)
            return n == 0; /* closed: the next read says so */
        ssize_t acks = 0;
        while (acks < n && peek[acks] == '+')
            acks++;
        if (acks < n)
            return true;
        if (recv(c->fd, peek, (size_t)acks, MSG_DONTWAIT) != acks)
            return true; /* let the next read find out */
    }
}

/* Read what the socket has, waiting until deadline_ms for at least one byte. */
static int fill(struct rsp_conn *c, long long deadline_ms)
{
    if (c->in_pos > 0) { /* what is left is a packet's beginning or a stray ack: small */
        memmove(c->in, c->in + c->in_pos, c->in_len - c->in_pos);
        c->in_len -= c->in_pos;
        c->in_pos = 0;
    }
    if (!grow(&c->in, &c->in_cap, c->in_len + RSP_INITIAL_BUF / 4))
        return conn_fail(c, "out of memory");
    /* poll first: a reply is rarely there already, and a recv that fails costs a syscall */
    for (;;) {
        long long left = deadline_ms - now_ms();
        if (left <= 0)
            return conn_fail(c, "no reply from the stub in time");
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        int ready = poll(&p, 1, (int)left);
        if (ready < 0 && errno != EINTR)
            return conn_fail(c, "poll: %s", strerror(errno));
        if (ready <= 0)
            continue;
        ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
        if (n > 0) {
            c->in_len += (size_t)n;
            return 0;
        }
        if (n == 0)
            return conn_fail(c, "the stub closed the connection");
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            return conn_fail(c, "recv: %s", strerror(errno));
    }
}

static int hex_nibble(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* The payload of the packet in[start, end) (between '$' and '#'): in place when it has no
 * run-length encoding (the '#' becomes its NUL), else expanded into pkt ("X*n": X and n - 29
 * more of it). */
static int decode(struct rsp_conn *c, size_t start, size_t end)
{
    const char *star = memchr(c->in + start, RSP_RLE, end - start);
    if (!star) {
        c->in[end] = '\0';
        c->payload = c->in + start;
        c->payload_len = end - start;
        return 0;
    }
    c->pkt_len = 0;
    if (!grow(&c->pkt, &c->pkt_cap, end - start + 1))
        return conn_fail(c, "out of memory");
    for (size_t i = start; i < end;) {
        star = memchr(c->in + i, RSP_RLE, end - i);
        size_t plain = star ? (size_t)(star - (c->in + i)) : end - i;
        memcpy(c->pkt + c->pkt_len, c->in + i, plain);
        c->pkt_len += plain;
        i += plain;
        if (!star)
            break;
        if (i + 1 >= end || c->pkt_len == 0) {
            c->pkt[c->pkt_len++] = RSP_RLE; /* not a run: keep it */
            i++;
            continue;
        }
        size_t repeat = (size_t)((uint8_t)c->in[i + 1] - RSP_RLE_OFFSET);
        i += 2;
        if (!grow(&c->pkt, &c->pkt_cap, c->pkt_len + repeat + (end - i) + 1))
            return conn_fail(c, "out of memory");
        memset(c->pkt + c->pkt_len, c->pkt[c->pkt_len - 1], repeat);
        c->pkt_len += repeat;
    }
    c->pkt[c->pkt_len] = '\0';
    c->payload = c->pkt;
    c->payload_len = c->pkt_len;
    return 0;
}

/* The modulo-256 sum of len bytes. Memory replies are megabytes of hex, so eight bytes at a
 * time: each 16-bit lane of `lanes` collects two bytes per word and is folded into the total
 * before it can overflow (128 words of at most 2 * 255 each). */
static uint8_t checksum(const char *p, size_t len)
{
    const uint64_t even = 0x00FF00FF00FF00FFULL;
    uint32_t total = 0;
    size_t i = 0;
    while (len - i >= sizeof(uint64_t)) {
        uint64_t lanes = 0;
        for (int n = 0; n < 128 && len - i >= sizeof(uint64_t); n++, i += sizeof(uint64_t)) {
            uint64_t w;
            memcpy(&w, p + i, sizeof(w));
            lanes += (w & even) + ((w >> 8) & even);
        }
        for (int lane = 0; lane < 4; lane++)
            total += (uint32_t)(lanes >> (16 * lane)) & 0xFFFF;
    }
    for (; i < len; i++)
        total += (uint8_t)p[i];
    return (uint8_t)total;
}

/* One framed packet from in[in_pos...]: 1 when found (in_pos moves past it), 0 when more bytes
 * are needed, 2 when a corrupt packet was skipped (and NAKed), -1 when the stream is broken.
 * Acks and noise before it are skipped. */
static int parse_one(struct rsp_conn *c)
{
    while (c->in_pos < c->in_len && c->in[c->in_pos] != RSP_START) {
        char ch = c->in[c->in_pos++];
        if (ch == RSP_NAK && c->ack_mode && c->out_len && write_all(c, c->out, c->out_len) < 0)
            return -1;
    }
    if (c->in_pos == c->in_len)
        return 0;
    const char *p = c->in + c->in_pos + 1;
    const char *hash = memchr(p, RSP_END, c->in_len - c->in_pos - 1);
    if (!hash || (size_t)(c->in + c->in_len - hash) < 1 + RSP_CHECKSUM_LEN)
        return 0;
    uint8_t sum = checksum(p, (size_t)(hash - p));
    int hi = hex_nibble(hash[1]), lo = hex_nibble(hash[2]);
    size_t start = (size_t)(p - c->in), end = (size_t)(hash - c->in);
    c->in_pos = end + 1 + RSP_CHECKSUM_LEN;
    if (hi < 0 || lo < 0 || (uint8_t)(hi << 4 | lo) != sum) {
        if (!c->ack_mode)
            return conn_fail(c, "reply with a bad checksum");
        const char nak = RSP_NAK;
        return write_all(c, &nak, 1) < 0 ? -1 : 2;
    }
    if (c->ack_mode) {
        const char ack = RSP_ACK;
        if (write_all(c, &ack, 1) < 0)
            return -1;
    }
    return decode(c, start, end) < 0 ? -1 : 1;
}

int rsp_recv(struct rsp_conn *c, int timeout_ms, const char **payload, size_t *len)
{
    long long deadline = now_ms() + timeout_ms;
    if (c->broken)
        return -1;
    for (;;) {
        int r = parse_one(c);
        if (r < 0)
            return -1;
        if (r == 2)
            continue;
        if (r > 0) {
            *payload = c->payload;
            *len = c->payload_len;
            return 0;
        }
        if (fill(c, deadline) < 0)
            return -1;
    }
}

int rsp_request(struct rsp_conn *c, const char *request, int timeout_ms, const char **reply,
                size_t *len)
{
    if (rsp_send_str(c, request) < 0)
        return -1;
    return rsp_recv(c, timeout_ms, reply, len);
}
