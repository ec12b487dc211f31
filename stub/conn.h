/* stub/conn.h — one debugger connection: a non-blocking socket with a bounded output queue.
 *
 * Sends never block and never raise SIGPIPE. What the socket does not take at once is queued
 * and sent when it becomes writable; a peer that lets more than CONN_OUT_LIMIT bytes pile up
 * is considered gone (conn_broken()).
 */
#ifndef KVMSTUB_STUB_CONN_H
#define KVMSTUB_STUB_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Queued output beyond which the peer is dropped. */
#define CONN_OUT_LIMIT (8u << 20)
/* Queued output beyond which the server stops reading more requests from the peer. */
#define CONN_OUT_HIGH (1u << 20)

struct conn;

/* Takes ownership of fd (closed by conn_free). NULL on out of memory (fd is closed). */
struct conn *conn_new(int fd);
void conn_free(struct conn *c);
int conn_fd(const struct conn *c);

/* session_write_fn: queue and send. 0, or -1 when the connection is broken. */
int conn_send(void *conn, const void *data, size_t len);
/* Send what is queued (when the socket polls writable). 0, or -1 when broken. */
int conn_flush(struct conn *c);
size_t conn_queued(const struct conn *c);
/* Read what is available: >0 bytes, 0 at end of stream or when broken, -1 when nothing is
 * available yet. */
ssize_t conn_recv(struct conn *c, void *buf, size_t cap);

bool conn_broken(const struct conn *c);
/* Why the connection broke (for the log line), or NULL. */
const char *conn_why(const struct conn *c);

#endif
