/* stub/packet.c — RSP framing: the incremental packet decoder and the packet writer. */
#include "stub/packet.h"

#include "stub/hex.h"

#include <stdlib.h>
#include <string.h>

enum packet_decode_state {
    DECODE_IDLE,   /* between packets */
    DECODE_DATA,   /* after '$' */
    DECODE_ESCAPE, /* after '}' inside a packet */
    DECODE_CSUM1,  /* after '#' */
    DECODE_CSUM2,  /* after the first checksum digit */
};

int packet_decoder_init(struct packet_decoder *d, size_t cap)
{
    memset(d, 0, sizeof(*d));
    d->buf = malloc(cap + 1);
    if (!d->buf)
        return -1;
    d->cap = cap;
    d->buf[0] = '\0';
    return 0;
}

void packet_decoder_free(struct packet_decoder *d)
{
    free(d->buf);
    d->buf = NULL;
}

static void decoder_start(struct packet_decoder *d)
{
    d->state = DECODE_DATA;
    d->len = 0;
    d->sum = 0;
    d->overflow = false;
}

static void decoder_store(struct packet_decoder *d, uint8_t c)
{
    if (d->len < d->cap)
        d->buf[d->len++] = (char)c;
    else
        d->overflow = true;
}

/* The byte that ends the checksum: decide what the packet was. */
static enum packet_event decoder_finish(struct packet_decoder *d, uint8_t c)
{
    int hi = hex_digit_value((char)d->csum), lo = hex_digit_value((char)c);
    d->state = DECODE_IDLE;
    if (hi < 0 || lo < 0 || (uint8_t)(hi << 4 | lo) != d->sum) {
        d->len = 0;
        return PACKET_EV_BAD_CHECKSUM;
    }
    if (d->overflow) {
        d->len = 0;
        return PACKET_EV_OVERSIZED;
    }
    d->buf[d->len] = '\0';
    return PACKET_EV_DATA;
}

size_t packet_decode_feed(struct packet_decoder *d, const void *in, size_t len,
                          enum packet_event *ev)
{
    const uint8_t *p = in;
    size_t i = 0;
    *ev = PACKET_EV_NONE;
    while (i < len) {
        uint8_t c = p[i++];
        switch (d->state) {
        case DECODE_IDLE:
            if (c == PACKET_START)
                decoder_start(d);
            else if (c == PACKET_ACK)
                *ev = PACKET_EV_ACK;
            else if (c == PACKET_NAK)
                *ev = PACKET_EV_NAK;
            else if (c == PACKET_INTERRUPT)
                *ev = PACKET_EV_INTERRUPT;
            /* anything else between packets is noise */
            if (*ev != PACKET_EV_NONE)
                return i;
            break;
        case DECODE_DATA:
            /* Fast path: plain payload bytes up to the next special one. */
            for (;;) {
                if (c == PACKET_END) {
                    d->state = DECODE_CSUM1;
                    break;
                }
                if (c == PACKET_START) {
                    decoder_start(d); /* a lost '#': resynchronise on the new packet */
                    break;
                }
                d->sum += c;
                if (c == PACKET_ESCAPE) {
                    d->state = DECODE_ESCAPE;
                    break;
                }
                decoder_store(d, c);
                if (i == len)
                    break;
                c = p[i++];
            }
            break;
        case DECODE_ESCAPE:
            d->sum += c;
            decoder_store(d, c ^ PACKET_ESCAPE_XOR);
            d->state = DECODE_DATA;
            break;
        case DECODE_CSUM1:
            d->csum = c;
            d->state = DECODE_CSUM2;
            break;
        case DECODE_CSUM2: *ev = decoder_finish(d, c); return i;
        }
    }
    return i;
}

/* ---- writer ---- */

/* Bytes that cannot appear as themselves in a packet's payload. */
static const bool packet_escaped[256] = {
    [PACKET_START] = true,
    [PACKET_END] = true,
    [PACKET_ESCAPE] = true,
    [PACKET_RLE] = true,
};

/* Bring the checksum up to date with everything written so far, so that a writer that sums
 * as it goes can continue from here. */
static void writer_sum_catch_up(struct packet_writer *w)
{
    uint8_t sum = w->sum;
    for (size_t i = w->summed; i < w->len; i++)
        sum += (uint8_t)w->buf[i];
    w->sum = sum;
    w->summed = w->len;
}

int packet_writer_init(struct packet_writer *w, size_t max_packet, packet_write_fn write, void *ctx)
{
    memset(w, 0, sizeof(*w));
    w->flush_threshold = max_packet;
    w->cap = 2 * max_packet;
    w->buf = malloc(w->cap);
    if (!w->buf)
        return -1;
    w->write = write;
    w->ctx = ctx;
    w->keep_last = true;
    return 0;
}

void packet_writer_free(struct packet_writer *w)
{
    free(w->buf);
    free(w->last);
    w->buf = w->last = NULL;
}

/* Make room for n more bytes; growing is only needed for unusually large output. */
static bool writer_reserve(struct packet_writer *w, size_t n)
{
    if (w->failed)
        return false;
    if (w->len + n <= w->cap)
        return true;
    size_t cap = w->cap;
    while (cap < w->len + n)
        cap *= 2;
    char *nb = realloc(w->buf, cap);
    if (!nb) {
        w->failed = true;
        return false;
    }
    w->buf = nb;
    w->cap = cap;
    return true;
}

void packet_write_raw(struct packet_writer *w, const void *data, size_t len)
{
    if (!writer_reserve(w, len))
        return;
    memcpy(w->buf + w->len, data, len);
    w->len += len;
}

void packet_begin(struct packet_writer *w)
{
    if (w->len >= w->flush_threshold)
        packet_flush(w);
    w->start = w->len;
    packet_write_raw(w, "$", 1);
    w->summed = w->len;
    w->sum = 0;
}

char *packet_put_space(struct packet_writer *w, size_t n)
{
    if (!writer_reserve(w, n))
        return NULL;
    char *p = w->buf + w->len;
    w->len += n;
    return p;
}

void packet_put(struct packet_writer *w, const void *data, size_t len)
{
    packet_write_raw(w, data, len);
}

void packet_put_str(struct packet_writer *w, const char *s)
{
    packet_write_raw(w, s, strlen(s));
}

void packet_put_binary(struct packet_writer *w, const void *data, size_t len)
{
    const uint8_t *s = data;
    if (!writer_reserve(w, 2 * len))
        return;
    writer_sum_catch_up(w);
    char *d = w->buf + w->len;
    unsigned sum = w->sum;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = s[i];
        if (packet_escaped[c]) {
            *d++ = PACKET_ESCAPE;
            sum += PACKET_ESCAPE;
            c ^= PACKET_ESCAPE_XOR;
        }
        *d++ = (char)c;
        sum += c;
    }
    w->len = (size_t)(d - w->buf);
    w->sum = (uint8_t)sum;
    w->summed = w->len;
}

void packet_put_hex(struct packet_writer *w, const void *data, size_t len)
{
    if (!writer_reserve(w, 2 * len))
        return;
    writer_sum_catch_up(w);
    w->sum += hex_encode_sum(w->buf + w->len, data, len);
    w->len += 2 * len;
    w->summed = w->len;
}

void packet_put_hex_u64(struct packet_writer *w, uint64_t v)
{
    char digits[HEX_U64_MAX_DIGITS];
    size_t n = hex_format_u64(digits, v);
    packet_put(w, digits, n);
}

void packet_end(struct packet_writer *w)
{
    char trailer[3] = {PACKET_END};
    if (w->failed)
        return;
    writer_sum_catch_up(w);
    hex_encode(trailer + 1, &w->sum, 1);
    packet_write_raw(w, trailer, sizeof(trailer));
    if (!w->keep_last || w->failed)
        return;
    size_t n = w->len - w->start;
    if (n > w->last_cap) {
        char *nl = realloc(w->last, n);
        if (!nl) {
            w->last_len = 0;
            return;
        }
        w->last = nl;
        w->last_cap = n;
    }
    memcpy(w->last, w->buf + w->start, n);
    w->last_len = n;
}

void packet_write_str(struct packet_writer *w, const char *payload)
{
    packet_begin(w);
    packet_put_str(w, payload);
    packet_end(w);
}

void packet_retransmit(struct packet_writer *w)
{
    if (!w->last_len)
        return;
    if (w->len >= w->flush_threshold)
        packet_flush(w); /* as packet_begin: the buffer stays bounded */
    packet_write_raw(w, w->last, w->last_len);
}

int packet_flush(struct packet_writer *w)
{
    if (!w->failed && w->len && w->write(w->ctx, w->buf, w->len) < 0)
        w->failed = true;
    w->len = 0;
    w->start = 0;
    return w->failed ? -1 : 0;
}

size_t packet_frame_str(char *dst, size_t cap, const char *payload)
{
    size_t len = strlen(payload);
    uint8_t sum = 0;
    if (len + 5 > cap)
        return 0;
    dst[0] = PACKET_START;
    memcpy(dst + 1, payload, len);
    for (size_t i = 0; i < len; i++)
        sum += (uint8_t)payload[i];
    dst[len + 1] = PACKET_END;
    hex_encode(dst + len + 2, &sum, 1);
    dst[len + 4] = '\0';
    return len + 4;
}
