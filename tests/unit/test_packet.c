/* tests/unit/test_packet.c — RSP framing: the decoder, the writer, acks and retransmission. */
#include "stub/packet.h"
#include "stub/session.h"
#include "tests/unit/check.h"
#include "tests/unit/harness.h"

/* Feed everything; collect the events and the last packet's payload. */
struct events {
    enum packet_event ev[16];
    int n;
    char data[64];
};

static void decode_all(struct packet_decoder *d, const void *in, size_t len, struct events *e)
{
    const char *p = in;
    e->n = 0;
    while (len) {
        enum packet_event ev;
        size_t used = packet_decode_feed(d, p, len, &ev);
        p += used;
        len -= used;
        if (ev != PACKET_EV_NONE && e->n < 16) {
            e->ev[e->n++] = ev;
            if (ev == PACKET_EV_DATA)
                snprintf(e->data, sizeof(e->data), "%s", packet_decoder_data(d));
        }
    }
}

static void test_decode_one_packet(void)
{
    struct packet_decoder d;
    struct events e;
    packet_decoder_init(&d, 64);
    decode_all(&d, "$g#67", 5, &e);
    CHECK_EQ(e.n, 1);
    CHECK_EQ(e.ev[0], PACKET_EV_DATA);
    CHECK_STR(e.data, "g");
    packet_decoder_free(&d);
}

static void test_bad_checksum_is_reported(void)
{
    struct packet_decoder d;
    struct events e;
    packet_decoder_init(&d, 64);
    decode_all(&d, "$g#68$g#zz", 10, &e);
    CHECK_EQ(e.n, 2);
    CHECK_EQ(e.ev[0], PACKET_EV_BAD_CHECKSUM);
    CHECK_EQ(e.ev[1], PACKET_EV_BAD_CHECKSUM);
    packet_decoder_free(&d);
}

static void test_bad_checksum_gets_nak(void)
{
    struct harness *h = harness_new(TARGET_ARCH_X86_64, 1);
    harness_feed_str(h, "$g#00");
    CHECK_EQ(h->out_len, 1);
    CHECK(h->out[0] == '-');
    harness_free(h);
}

static void test_packet_fed_one_byte_at_a_time(void)
{
    struct packet_decoder d;
    const char *in = "$qSupported:swbreak+#c7";
    char framed[64];
    size_t len = harness_frame(framed, "qSupported:swbreak+", 19);
    int datas = 0;
    (void)in;
    packet_decoder_init(&d, 64);
    for (size_t i = 0; i < len; i++) {
        enum packet_event ev;
        CHECK_EQ(packet_decode_feed(&d, framed + i, 1, &ev), 1);
        if (ev == PACKET_EV_DATA) {
            datas++;
            CHECK_EQ(i, len - 1);
            CHECK_STR(packet_decoder_data(&d), "qSupported:swbreak+");
        }
    }
    CHECK_EQ(datas, 1);
    packet_decoder_free(&d);
}

static void test_two_packets_in_one_feed(void)
{
    struct harness *h = harness_new(TARGET_ARCH_X86_64, 1);
    char buf[64];
    size_t n = harness_frame(buf, "qAttached", 9);
    n += harness_frame(buf + n, "vMustReplyEmpty", 15);
    harness_feed(h, buf, n);
    CHECK_STR(harness_packet(h, 0), "1");
    CHECK_STR(harness_packet(h, 1), "");
    CHECK_EQ(h->writes, 1); /* both replies (and acks) in one write */
    harness_free(h);
}

static void test_oversized_packet(void)
{
    struct packet_decoder d;
    struct events e;
    char buf[64];
    packet_decoder_init(&d, 8);
    size_t n = harness_frame(buf, "0123456789", 10);
    n += harness_frame(buf + n, "01234567", 8); /* exactly the capacity still fits */
    decode_all(&d, buf, n, &e);
    CHECK_EQ(e.n, 2);
    CHECK_EQ(e.ev[0], PACKET_EV_OVERSIZED);
    CHECK_EQ(e.ev[1], PACKET_EV_DATA);
    CHECK_STR(e.data, "01234567");
    packet_decoder_free(&d);
}

static void test_oversized_packet_gets_error_reply(void)
{
    struct harness *h = harness_new(TARGET_ARCH_X86_64, 1);
    size_t len = SESSION_PACKET_SIZE + 100;
    char *big = malloc(len);
    memset(big, 'm', len);
    CHECK_STR(harness_cmd_bin(h, big, len), "E1c");
    /* and the session goes on */
    CHECK_STR(harness_cmd(h, "qAttached"), "1");
    free(big);
    harness_free(h);
}

static void test_escapes_decoded(void)
{
    struct packet_decoder d;
    struct events e;
    /* payload bytes: 'X' '#' '$' '}' '*' sent as X }\x03 }\x04 }] }\x0a */
    const char raw[] = "X}\x03}\x04}]}\x0a";
    char buf[32];
    size_t n = harness_frame(buf, raw, sizeof(raw) - 1);
    packet_decoder_init(&d, 64);
    decode_all(&d, buf, n, &e);
    CHECK_EQ(e.n, 1);
    CHECK_EQ(e.ev[0], PACKET_EV_DATA);
    CHECK_EQ(packet_decoder_len(&d), 5);
    CHECK(memcmp(packet_decoder_data(&d), "X#$}*", 5) == 0);
    packet_decoder_free(&d);
}

static char writer_out[256];
static size_t writer_len;
static int writer_calls;

static int writer_capture(void *ctx, const void *data, size_t len)
{
    memcpy(writer_out + writer_len, data, len);
    writer_len += len;
    writer_calls++;
    return 0;
}

static void test_escapes_encoded(void)
{
    struct packet_writer w;
    packet_writer_init(&w, 64, writer_capture, NULL);
    writer_len = 0;
    writer_calls = 0;
    packet_begin(&w);
    packet_put_binary(&w, "a#$}*b", 6);
    packet_end(&w);
    CHECK_EQ(packet_flush(&w), 0);
    CHECK_EQ(writer_calls, 1);
    writer_out[writer_len] = '\0';
    /* sum of "a}\x03}\x04}]}\x0ab" */
    unsigned sum = 0;
    const char esc[] = "a}\x03}\x04}]}\x0a"
                       "b";
    for (size_t i = 0; i < sizeof(esc) - 1; i++)
        sum += (unsigned char)esc[i];
    char expect[64];
    snprintf(expect, sizeof(expect), "$%s#%02x", esc, sum & 0xff);
    CHECK_STR(writer_out, expect);
    packet_writer_free(&w);
}

static void test_garbage_between_packets_is_skipped(void)
{
    struct packet_decoder d;
    struct events e;
    char buf[64] = "xyz\r\n";
    size_t n = 5;
    n += harness_frame(buf + n, "g", 1);
    memcpy(buf + n, "junk", 4);
    n += 4;
    n += harness_frame(buf + n, "?", 1);
    packet_decoder_init(&d, 64);
    decode_all(&d, buf, n, &e);
    CHECK_EQ(e.n, 2);
    CHECK_EQ(e.ev[0], PACKET_EV_DATA);
    CHECK_EQ(e.ev[1], PACKET_EV_DATA);
    CHECK_STR(e.data, "?");
    packet_decoder_free(&d);
}

static void test_dollar_inside_packet_restarts_it(void)
{
    struct packet_decoder d;
    struct events e;
    char buf[64] = "$qSupp";
    size_t n = 6 + harness_frame(buf + 6, "g", 1);
    packet_decoder_init(&d, 64);
    decode_all(&d, buf, n, &e);
    CHECK_EQ(e.n, 1);
    CHECK_STR(e.data, "g");
    packet_decoder_free(&d);
}

static void test_interrupt_byte(void)
{
    struct packet_decoder d;
    struct events e;
    packet_decoder_init(&d, 64);
    decode_all(&d, "\x03+-", 3, &e);
    CHECK_EQ(e.n, 3);
    CHECK_EQ(e.ev[0], PACKET_EV_INTERRUPT);
    CHECK_EQ(e.ev[1], PACKET_EV_ACK);
    CHECK_EQ(e.ev[2], PACKET_EV_NAK);
    /* inside a packet 0x03 is data */
    char buf[16];
    size_t n = harness_frame(buf, "X\x03", 2);
    decode_all(&d, buf, n, &e);
    CHECK_EQ(e.n, 1);
    CHECK_EQ(e.ev[0], PACKET_EV_DATA);
    CHECK(packet_decoder_data(&d)[1] == 3);
    packet_decoder_free(&d);
}

static void test_ack_mode_then_no_ack_mode(void)
{
    struct harness *h = harness_new(TARGET_ARCH_X86_64, 1);
    harness_cmd(h, "qAttached");
    CHECK(h->out_len > 0 && h->out[0] == '+');
    CHECK_STR(harness_cmd(h, "QStartNoAckMode"), "OK");
    CHECK(h->out[0] == '+'); /* the switch packet itself is still acknowledged */
    harness_feed_str(h, "+");
    harness_cmd(h, "qAttached");
    CHECK(h->out_len > 0 && h->out[0] == '$');
    harness_free(h);
}

static void test_nak_retransmits_last_reply(void)
{
    struct harness *h = harness_new(TARGET_ARCH_X86_64, 1);
    harness_cmd(h, "qC");
    char first[64];
    snprintf(first, sizeof(first), "%.*s", (int)h->out_len - 1, h->out + 1); /* drop the '+' */
    harness_clear(h);
    harness_feed_str(h, "-");
    h->out[h->out_len] = '\0';
    CHECK_STR(h->out, first);
    /* a run of NAKs gets one copy */
    harness_clear(h);
    harness_feed_str(h, "---");
    h->out[h->out_len] = '\0';
    CHECK_STR(h->out, first);
    /* a NAK then the next request in one read: the NAKed reply first, then the new one */
    harness_clear(h);
    char req[32];
    size_t n = harness_frame(req + 1, "qAttached", 9);
    req[0] = '-';
    harness_feed(h, req, n + 1);
    h->out[h->out_len] = '\0';
    char expect[128];
    snprintf(expect, sizeof(expect), "%s+$1#31", first);
    CHECK_STR(h->out, expect);
    /* no-ack mode: '-' is ignored */
    harness_no_ack(h);
    harness_feed_str(h, "-");
    CHECK_EQ(h->out_len, 0);
    harness_free(h);
}

static void test_frame_str(void)
{
    char buf[32];
    CHECK_EQ(packet_frame_str(buf, sizeof(buf), "OK"), 6);
    CHECK_STR(buf, "$OK#9a");
    CHECK_EQ(packet_frame_str(buf, 4, "OK"), 0);
}

int main(void)
{
    RUN(test_decode_one_packet);
    RUN(test_bad_checksum_is_reported);
    RUN(test_bad_checksum_gets_nak);
    RUN(test_packet_fed_one_byte_at_a_time);
    RUN(test_two_packets_in_one_feed);
    RUN(test_oversized_packet);
    RUN(test_oversized_packet_gets_error_reply);
    RUN(test_escapes_decoded);
    RUN(test_escapes_encoded);
    RUN(test_garbage_between_packets_is_skipped);
    RUN(test_dollar_inside_packet_restarts_it);
    RUN(test_interrupt_byte);
    RUN(test_ack_mode_then_no_ack_mode);
    RUN(test_nak_retransmits_last_reply);
    RUN(test_frame_str);
    return CHECK_DONE();
}
