/* tests/unit/server_thread.c — the stub's server on a thread, serving a fake target. */
#include "tests/unit/server_thread.h"

#include <stdio.h>
#include <stdlib.h>

static void *server_thread_main(void *arg)
{
    struct server_thread *st = arg;
    st->status = stub_server_run(st->srv, &st->ft.target, st->target_running);
    return NULL;
}

struct server_thread *server_thread_new(enum target_arch arch, const char *address,
                                        bool target_running)
{
    struct server_thread *st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    fake_target_init(&st->ft, arch, 2);
    st->target_running = target_running;
    st->ft.running = target_running;
    st->srv = stub_server_listen(address);
    if (!st->srv) {
        printf("  cannot listen on %s\n", address);
        fake_target_destroy(&st->ft);
        free(st);
        return NULL;
    }
    snprintf(st->address, sizeof(st->address), "%s", stub_server_address(st->srv));
    return st;
}

void server_thread_go(struct server_thread *st)
{
    pthread_create(&st->thread, NULL, server_thread_main, st);
}

int server_thread_join(struct server_thread *st)
{
    pthread_join(st->thread, NULL);
    int status = st->status;
    stub_server_close(st->srv);
    fake_target_destroy(&st->ft);
    free(st);
    return status;
}
