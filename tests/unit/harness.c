/* tests/unit/harness.c — a session over a fake target with captured output. */
#include "tests/unit/harness.h"

#include <stdlib.h>
#include <string.h>

static int harness_write(void *ctx, const void *data, size_t len)
{
    struct harness *h = ctx;
    h->writes++;
    if (h->fail_writes)
        return -1;
    if (h->out_len + len > HARNESS_OUT_MAX)
        len = HARNESS_OUT_MAX - h->out_len;
    memcpy(h->out + h->out_len, data, len);
    h->out_len += len;
    return 0;
}

struct harness *harness_new(enum target_arch arch, int nthreads)
{
    struct harness *h = calloc(1, sizeof(*h));
    fake_target_init(&h->ft, arch, nthreads);
    h->out = malloc(HARNESS_OUT_MAX);
    packet_decoder_init(&h->dec, HARNESS_OUT_MAX);
    h->s = session_new(&h->ft.target, harness_write, h);
    return h;
}

void harness_reattach(struct harness *h)
{
    session_free(h->s);
    harness_clear(h);
    h->s = session_new(&h->ft.target, harness_write, h);
}

void harness_free(struct harness *h)
{
    session_free(h->s);
    packet_decoder_free(&h->dec);
    fake_target_destroy(&h->ft);
    free(h->out);
    free(h);
}

void harness_clear(struct harness *h)
{
    h->out_len = 0;
    h->writes = 0;
}

void harness_feed(struct harness *h, const void *data, size_t len)
{
    session_feed(h->s, data, len);
}

void harness_feed_str(struct harness *h, const char *s)
{
    harness_feed(h, s, strlen(s));
}

size_t harness_frame(char *buf, const void *payload, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *p = payload;
    unsigned char sum = 0;
    buf[0] = '$';
    for (size_t i = 0; i < len; i++) {
        buf[1 + i] = (char)p[i];
        sum += p[i];
    }
    buf[len + 1] = '#';
    buf[len + 2] = digits[sum >> 4];
    buf[len + 3] = digits[sum & 15];
    buf[len + 4] = '\0';
    return len + 4;
}

const char *harness_packet(struct harness *h, int n)
{
    const char *p = h->out;
    size_t left = h->out_len;
    int found = 0;
    while (left) {
        enum packet_event ev;
        size_t used = packet_decode_feed(&h->dec, p, left, &ev);
        p += used;
        left -= used;
        if (ev == PACKET_EV_DATA && found++ == n) {
            h->reply = (char *)packet_decoder_data(&h->dec);
            h->reply_len = packet_decoder_len(&h->dec);
            return h->reply;
        }
    }
    return NULL;
}

static int harness_count_packets(struct harness *h)
{
    int n = 0;
    while (harness_packet(h, n))
        n++;
    return n;
}

const char *harness_cmd_bin(struct harness *h, const void *payload, size_t len)
{
    char *buf = malloc(len + 5);
    harness_clear(h);
    harness_frame(buf, payload, len);
    harness_feed(h, buf, len + 4);
    free(buf);
    h->replies = harness_count_packets(h);
    return harness_packet(h, 0);
}

const char *harness_cmd(struct harness *h, const char *payload)
{
    return harness_cmd_bin(h, payload, strlen(payload));
}

void harness_no_ack(struct harness *h)
{
    harness_cmd(h, "QStartNoAckMode");
    harness_clear(h);
}

const char *harness_stop(struct harness *h)
{
    harness_clear(h);
    session_target_stopped(h->s);
    h->replies = harness_count_packets(h);
    return harness_packet(h, 0);
}
