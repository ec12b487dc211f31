/* bench/attach.h — what attaching costs: from TCP connect to the first stop reply, either the
 * bare minimum (`?`) or gdb's whole handshake (debug_session.h's dbg_open). The stub must be
 * stopped with no debugger attached; each attach disconnects again. */
#ifndef KVMSTUB_BENCH_ATTACH_H
#define KVMSTUB_BENCH_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

/* count attaches to host:port; 0 with *us the mean per attach, or -1 with a reason in err. */
int attach_measure(const char *host, unsigned port, bool handshake, int count, double *us,
                   char *err, size_t errlen);

/* One connect → `?` → stop reply; 0 or -1 with a reason. */
int attach_first_stop(const char *host, unsigned port, char *err, size_t errlen);

#endif
