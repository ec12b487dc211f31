/* stub/session.h — the GDB protocol engine for one debugger connection, without sockets.
 *
 * Bytes from the debugger go in with session_feed(); replies come out through the write
 * callback (at most one call per session_feed()/session_target_stopped(), unless the output
 * is very large). The engine talks to what it debugs only through struct target.
 *
 * Run control: after a resume packet the target runs and session_target_running() is true;
 * the caller then polls the target's stop_fd and calls session_target_stopped() when it is
 * readable, which takes the stop and sends the stop reply. The session starts with the target
 * stopped, for the reason the target's last_stop gives (what '?' reports).
 */
#ifndef KVMSTUB_STUB_SESSION_H
#define KVMSTUB_STUB_SESSION_H

#include "stub/target.h"

#include <stdbool.h>
#include <stddef.h>

/* The PacketSize advertised in qSupported: the largest packet accepted, and the largest
 * memory transfer (m/x/M/X) per packet. */
#define SESSION_PACKET_SIZE 0x20000

enum session_state {
    SESSION_ACTIVE,   /* serving the debugger */
    SESSION_DETACHED, /* 'D': target detached and running; close the connection */
    SESSION_KILLED,   /* 'k': target told to end; wait for its STOP_EXITED */
    SESSION_EXITED,   /* the guest ended (W/X sent): session_exit_status() */
    SESSION_BROKEN,   /* the write callback failed or out of memory: drop the connection */
};

/* Returns 0, or -1 when the connection is gone (the session becomes SESSION_BROKEN). */
typedef int (*session_write_fn)(void *ctx, const void *data, size_t len);

/* NULL on out of memory or an architecture the engine does not know. */
struct session *session_new(const struct target *t, session_write_fn write, void *ctx);
void session_free(struct session *s);

/* Process bytes from the debugger. */
void session_feed(struct session *s, const void *data, size_t len);
/* The target's stop_fd is readable: take the stop and report it. */
void session_target_stopped(struct session *s);

/* True while the target runs on this session's behalf (poll its stop_fd). */
bool session_target_running(const struct session *s);
enum session_state session_state(const struct session *s);
/* SESSION_EXITED or SESSION_KILLED-then-ended: the status kvmstub ends with
 * (exit_status, or 128 + signal when terminated). */
int session_exit_status(const struct session *s);
/* The exit status for a stop event that ends the guest. */
int session_status_of_stop(const struct stop_event *ev);

#endif
