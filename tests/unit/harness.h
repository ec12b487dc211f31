/* tests/unit/harness.h — drive a session over a fake target, as a debugger would.
 *
 * harness_cmd() frames a packet, feeds it to the session and returns the first reply packet,
 * decoded (escapes undone, checksum checked) with the stub's own decoder.
 */
#ifndef KVMSTUB_TESTS_HARNESS_H
#define KVMSTUB_TESTS_HARNESS_H

#include "stub/packet.h"
#include "stub/session.h"
#include "tests/unit/fake_target.h"

#define HARNESS_OUT_MAX (4u << 20)

struct harness {
    struct fake_target ft;
    struct session *s;
    char *out; /* everything the session wrote since the last harness_clear() */
    size_t out_len;
    int writes; /* write callback calls */
    bool fail_writes;
    struct packet_decoder dec;
    char *reply; /* last decoded reply packet (NUL-terminated) */
    size_t reply_len;
    int replies; /* packets found by the last harness_cmd() */
};

struct harness *harness_new(enum target_arch arch, int nthreads);
void harness_free(struct harness *h);
/* A new debugger attaches: the session is replaced by a fresh one on the same target. */
void harness_reattach(struct harness *h);
void harness_clear(struct harness *h);
void harness_feed(struct harness *h, const void *data, size_t len);
void harness_feed_str(struct harness *h, const char *s);
/* "$payload#xx" for payload[0..len). Returns the framed length (buf must hold len + 5). */
size_t harness_frame(char *buf, const void *payload, size_t len);
/* Send one packet and return the first reply packet's payload ("" for the empty reply,
 * NULL when there was no reply). harness->replies counts the packets. */
const char *harness_cmd_bin(struct harness *h, const void *payload, size_t len);
const char *harness_cmd(struct harness *h, const char *payload);
/* Decode the n-th packet (0-based) of the current output; NULL if there is none. */
const char *harness_packet(struct harness *h, int n);
/* Put the session in no-ack mode (QStartNoAckMode). */
void harness_no_ack(struct harness *h);
/* Take a pending stop from the fake target, as the server does when stop_fd polls. */
const char *harness_stop(struct harness *h);

#endif
