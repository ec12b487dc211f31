/* tests/unit/server_thread.h — the stub's server on a thread of its own, serving a fake target
 * over a real socket, for unit tests that connect to it as clients (or as a real gdb).
 *
 * server_thread_new() listens; set up st->ft as the case needs, then server_thread_go() serves
 * until the session ends, and server_thread_join() returns stub_server_run()'s status.
 */
#ifndef KVMSTUB_TESTS_SERVER_THREAD_H
#define KVMSTUB_TESTS_SERVER_THREAD_H

#include <pthread.h>
#include <stdbool.h>

#include "stub/stub.h"
#include "tests/unit/fake_target.h"

struct server_thread {
    struct stub_server *srv;
    struct fake_target ft;
    char address[128]; /* where it listens, as client_connect and gdb take it */
    bool target_running;
    pthread_t thread;
    int status;
};

/* NULL (after saying why on stdout) when it cannot listen on address. */
struct server_thread *server_thread_new(enum target_arch arch, const char *address,
                                        bool target_running);
void server_thread_go(struct server_thread *st);
int server_thread_join(struct server_thread *st);

#endif
