/* stub/packet.h — RSP framing in both directions.
 *
 * Decoder: an incremental state machine fed arbitrary chunks of the byte stream from the
 * debugger. It reports one event at a time: a complete packet ($data#xx, `}` escapes undone,
 * checksum verified), a bad checksum, an oversized packet, an ack (+), a nak (-) or the raw
 * interrupt byte (0x03). Garbage between packets is skipped; a `$` inside a packet restarts it.
 *
 * Writer: builds outgoing packets directly in an output buffer (escaping `$ # } *` where the
 * payload is binary), keeps the last packet for retransmission while acks are on, and hands
 * everything pending to a write callback in one call per flush.
 */
#ifndef KVMSTUB_STUB_PACKET_H
#define KVMSTUB_STUB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PACKET_START      '$'
#define PACKET_END        '#'
#define PACKET_ESCAPE     '}'
#define PACKET_RLE        '*'
#define PACKET_ESCAPE_XOR 0x20
#define PACKET_ACK        '+'
#define PACKET_NAK        '-'
#define PACKET_INTERRUPT  0x03

enum packet_event {
    PACKET_EV_NONE,         /* input used up, no event yet */
    PACKET_EV_DATA,         /* a packet: packet_decoder_data()/len() until the next feed */
    PACKET_EV_BAD_CHECKSUM, /* a framed packet whose checksum did not match */
    PACKET_EV_OVERSIZED,    /* a packet longer than the decoder's capacity (checksum was good) */
    PACKET_EV_ACK,
    PACKET_EV_NAK,
    PACKET_EV_INTERRUPT,
};

struct packet_decoder {
    char *buf;  /* unescaped payload, NUL-terminated when an event is DATA */
    size_t cap; /* payload capacity */
    size_t len;
    int state;    /* enum packet_decode_state (packet.c) */
    uint8_t sum;  /* running checksum of the raw bytes */
    uint8_t csum; /* received checksum, first digit */
    bool overflow;
};

/* 0, or -1 if out of memory. cap: the largest unescaped payload accepted. */
int packet_decoder_init(struct packet_decoder *d, size_t cap);
void packet_decoder_free(struct packet_decoder *d);
/* Consume input up to and including the byte that completes one event. Returns the number of
 * bytes consumed; *ev is PACKET_EV_NONE when all of `len` was consumed without an event. */
size_t packet_decode_feed(struct packet_decoder *d, const void *in, size_t len,
                          enum packet_event *ev);
static inline const char *packet_decoder_data(const struct packet_decoder *d)
{
    return d->buf;
}
static inline size_t packet_decoder_len(const struct packet_decoder *d)
{
    return d->len;
}

/* Where the writer's bytes go. Returns 0, or -1 when the connection is gone. */
typedef int (*packet_write_fn)(void *ctx, const void *data, size_t len);

struct packet_writer {
    char *buf; /* pending output: acks and finished packets, then the packet being built */
    size_t len, cap;
    size_t start;  /* offset of the '$' of the packet being built */
    size_t summed; /* the checksum covers [start + 1, summed) */
    uint8_t sum;
    size_t flush_threshold;
    char *last; /* the last packet sent, for '-' (only while keep_last) */
    size_t last_len, last_cap;
    bool keep_last;
    bool failed; /* out of memory or the write callback failed: output is dropped */
    packet_write_fn write;
    void *ctx;
};

/* 0 or -1 (out of memory). max_packet: the largest single packet the caller will build (the
 * buffer is sized for it plus anything pending up to flush_threshold). */
int packet_writer_init(struct packet_writer *w, size_t max_packet, packet_write_fn write,
                       void *ctx);
void packet_writer_free(struct packet_writer *w);
/* Raw bytes outside any packet (acks). */
void packet_write_raw(struct packet_writer *w, const void *data, size_t len);
/* Start a packet; flushes first if enough output is pending. */
void packet_begin(struct packet_writer *w);
/* Payload that needs no escaping (protocol text, hex digits). */
void packet_put(struct packet_writer *w, const void *data, size_t len);
void packet_put_str(struct packet_writer *w, const char *s);
/* Room for n payload bytes that need no escaping; NULL on failure. */
char *packet_put_space(struct packet_writer *w, size_t n);
/* Binary payload: `$ # } *` are escaped. */
void packet_put_binary(struct packet_writer *w, const void *data, size_t len);
/* Bytes as hex digits. */
void packet_put_hex(struct packet_writer *w, const void *data, size_t len);
/* A number in minimal hex. */
void packet_put_hex_u64(struct packet_writer *w, uint64_t v);
/* Finish the packet: checksum. */
void packet_end(struct packet_writer *w);
/* A whole packet from a string. */
void packet_write_str(struct packet_writer *w, const char *payload);
/* Send the last packet again (after a '-'). */
void packet_retransmit(struct packet_writer *w);
/* Hand everything pending to the write callback. 0 or -1 (failed). */
int packet_flush(struct packet_writer *w);

/* Frame a text payload (no escaping needed) as "$payload#xx" into dst, NUL-terminated.
 * Returns the framed length, or 0 if it does not fit in cap. */
size_t packet_frame_str(char *dst, size_t cap, const char *payload);

#endif
