/* bench/rsp_client.h — a GDB remote serial protocol client on one TCP connection: packet
 * framing (checksum, acks until no-ack mode, run-length decoding), the interrupt byte, and a
 * deadline on every wait. It knows nothing about what the packets mean (see rsp_reply.h).
 *
 * Every call that can fail returns -1 and leaves a description in rsp_error(); after a
 * failure the connection is unusable (a stub that dropped it or stopped answering).
 */
#ifndef KVMSTUB_BENCH_RSP_CLIENT_H
#define KVMSTUB_BENCH_RSP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

struct rsp_conn;

/* Connect to HOST:PORT (TCP_NODELAY, as gdb does). NULL with a reason in err. */
struct rsp_conn *rsp_connect(const char *host, unsigned port, char *err, size_t errlen);
void rsp_close(struct rsp_conn *c);

/* After "QStartNoAckMode" was answered OK: neither side acknowledges packets any more. */
void rsp_set_no_ack(struct rsp_conn *c);

/* Frame and send one packet. The payload is sent as is: binary data must be escaped. */
int rsp_send(struct rsp_conn *c, const char *payload, size_t len);
int rsp_send_str(struct rsp_conn *c, const char *payload);

/* The raw interrupt byte (Ctrl-C), outside any packet. */
int rsp_send_interrupt(struct rsp_conn *c);

/* Wait up to timeout_ms for the next packet. *payload (run-length expanded, `}` escapes kept,
 * NUL-terminated) stays valid until the next call on c. */
int rsp_recv(struct rsp_conn *c, int timeout_ms, const char **payload, size_t *len);

/* Whether the stub has sent something (buffered or on the socket) within timeout_ms; a
 * timeout is not an error (the connection stays usable, unlike rsp_recv's). */
bool rsp_pending(struct rsp_conn *c, int timeout_ms);

/* rsp_send_str then rsp_recv. */
int rsp_request(struct rsp_conn *c, const char *request, int timeout_ms, const char **reply,
                size_t *len);

const char *rsp_error(const struct rsp_conn *c);

#endif
