/* stub/stub.h — the GDB stub as kvmstub.c uses it: listen, serve, close.
 *
 * One debugger at a time; a second one is told that another debugger is attached. After a
 * detach or a dropped connection the server keeps listening (the guest stays stopped after a
 * drop, runs after a detach). Everything else about the guest goes through struct target.
 */
#ifndef KVMSTUB_STUB_STUB_H
#define KVMSTUB_STUB_STUB_H

#include "stub/target.h"

#include <stdbool.h>

struct stub_server;

/* Parse the address ("[HOST:]PORT", ":PORT", "[V6]:PORT", "unix:PATH"), bind and listen, and
 * print "kvmstub: waiting for gdb on ADDRESS" on stderr. On error print
 * "kvmstub: <what>: <why>" on stderr and return NULL. */
struct stub_server *stub_server_listen(const char *address);

/* The address actually listened on, e.g. "127.0.0.1:41235" or "unix:/tmp/x.sock". */
const char *stub_server_address(const struct stub_server *s);

/* Serve debuggers until the guest ends; returns the status kvmstub should exit with (the
 * exit_status of the target's STOP_EXITED event, or 128+signal for STOP_TERMINATED).
 * target_running: false when the guest is stopped waiting for gdb, true when it already runs
 * (--no-wait): a debugger that connects then stops it first. */
int stub_server_run(struct stub_server *s, struct target *t, bool target_running);

void stub_server_close(struct stub_server *s);

#endif
