/* stub/transport.h — where the stub listens: address parsing, listening and accepting.
 *
 * Addresses: "PORT", ":PORT", "HOST:PORT", "[IPV6]:PORT" (TCP; HOST defaults to 127.0.0.1,
 * never every interface unless asked, e.g. "0.0.0.0:PORT"), and "unix:PATH" (a unix socket,
 * created with mode 0600 so only its owner can connect). Port 0 picks a free port.
 */
#ifndef KVMSTUB_STUB_TRANSPORT_H
#define KVMSTUB_STUB_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/un.h>

#define TRANSPORT_DEFAULT_HOST "127.0.0.1"
#define TRANSPORT_HOST_MAX     256
#define TRANSPORT_PATH_MAX     sizeof(((struct sockaddr_un *)0)->sun_path)
/* Room for "unix:" + a path, or "[v6 address]:port". */
#define TRANSPORT_NAME_MAX (TRANSPORT_PATH_MAX + 8)

enum transport_kind { TRANSPORT_TCP, TRANSPORT_UNIX };

struct transport_addr {
    enum transport_kind kind;
    char host[TRANSPORT_HOST_MAX]; /* TCP: a name or a literal address, brackets removed */
    unsigned port;                 /* TCP */
    char path[TRANSPORT_PATH_MAX]; /* unix */
};

struct transport_listener {
    int fd;
    enum transport_kind kind;
    char name[TRANSPORT_NAME_MAX]; /* what was bound: "127.0.0.1:41235", "unix:/tmp/x" */
    char path[TRANSPORT_PATH_MAX]; /* unix: removed again on close */
};

/* 0, or -1 with *why set to a static description of the problem. */
int transport_parse(const char *spec, struct transport_addr *a, const char **why);
/* Bind and listen (non-blocking). 0, or -1 with *why set to the reason. */
int transport_listen(const struct transport_addr *a, struct transport_listener *l,
                     const char **why);
/* True when the listener is on an address other machines may reach (not loopback, not a
 * unix socket). */
bool transport_reachable_from_outside(const struct transport_listener *l);
void transport_close(struct transport_listener *l);
/* Accept one connection: a non-blocking socket (TCP_NODELAY on TCP), or -1 with errno. */
int transport_accept(const struct transport_listener *l);

#endif
