/* tests/unit/test_transport.c — addresses, listening sockets, and the server with real
 * sockets: one debugger at a time, refusal of a second one, reattach, drops, guest exit.
 */
#include "stub/packet.h"
#include "stub/stub.h"
#include "stub/transport.h"
#include "tests/unit/check.h"
#include "tests/unit/fake_target.h"
#include "tests/unit/harness.h"
#include "tests/unit/server_thread.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* How long a test client waits for a reply before calling it a hang. */
#define CLIENT_TIMEOUT_MS 10000

static void test_parse_good_addresses(void)
{
    static const struct {
        const char *spec;
        enum transport_kind kind;
        const char *host;
        unsigned port;
    } good[] = {
        {"1234", TRANSPORT_TCP, "127.0.0.1", 1234},
        {":1234", TRANSPORT_TCP, "127.0.0.1", 1234},
        {"127.0.0.1:1234", TRANSPORT_TCP, "127.0.0.1", 1234},
        {"0.0.0.0:1", TRANSPORT_TCP, "0.0.0.0", 1},
        {"[::1]:1234", TRANSPORT_TCP, "::1", 1234},
        {"localhost:0", TRANSPORT_TCP, "localhost", 0},
        {"65535", TRANSPORT_TCP, "127.0.0.1", 65535},
        {"unix:/p", TRANSPORT_UNIX, NULL, 0},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct transport_addr a;
        const char *why = NULL;
        int rc = transport_parse(good[i].spec, &a, &why);
        if (rc != 0)
            printf("  %s: %s\n", good[i].spec, why);
        CHECK_EQ(rc, 0);
        CHECK_EQ(a.kind, good[i].kind);
        if (good[i].host) {
            CHECK_STR(a.host, good[i].host);
            CHECK_EQ(a.port, good[i].port);
        } else {
            CHECK_STR(a.path, "/p");
        }
    }
}

static void test_parse_bad_addresses(void)
{
    static const char *const bad[] = {
        "",          "host:",    "99999", "[::1", "unix:",         "[]:1",
        "[::1]1234", "::1:1234", "12a",   "-1",   "1.2.3.4:65536", ":",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct transport_addr a;
        const char *why = NULL;
        CHECK_EQ(transport_parse(bad[i], &a, &why), -1);
        CHECK(why != NULL && *why);
    }
    struct transport_addr a;
    const char *why = NULL;
    CHECK_EQ(transport_parse(NULL, &a, &why), -1);
    char longpath[300] = "unix:";
    memset(longpath + 5, 'x', 200);
    CHECK_EQ(transport_parse(longpath, &a, &why), -1);
}

static void make_socket_path(char *path, size_t len)
{
    char dir[] = "/tmp/kvmstub-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, len, "%s/gdb.sock", dir);
}

static void remove_socket_path(const char *path)
{
    char dir[256];
    snprintf(dir, sizeof(dir), "%s", path);
    unlink(path);
    *strrchr(dir, '/') = '\0';
    rmdir(dir);
}

static void test_unix_socket_mode_0600(void)
{
    char path[128], spec[160];
    make_socket_path(path, sizeof(path));
    snprintf(spec, sizeof(spec), "unix:%s", path);
    mode_t old = umask(0); /* even with a permissive umask */
    struct transport_addr a;
    struct transport_listener l;
    const char *why;
    CHECK_EQ(transport_parse(spec, &a, &why), 0);
    CHECK_EQ(transport_listen(&a, &l, &why), 0);
    umask(old);
    struct stat st;
    CHECK_EQ(stat(path, &st), 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK_EQ(st.st_mode & 0777, 0600);
    CHECK_STR(l.name, spec);
    /* a second listener on the same live path is refused */
    struct transport_listener l2;
    CHECK_EQ(transport_listen(&a, &l2, &why), -1);
    transport_close(&l);
    CHECK(access(path, F_OK) != 0); /* removed on close */
    remove_socket_path(path);
}

static void test_stale_unix_socket_is_replaced(void)
{
    char path[128];
    make_socket_path(path, sizeof(path));
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, path);
    CHECK_EQ(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    close(fd); /* the file stays, nobody listens */
    struct transport_addr a = {.kind = TRANSPORT_UNIX};
    strcpy(a.path, path);
    struct transport_listener l;
    const char *why;
    CHECK_EQ(transport_listen(&a, &l, &why), 0);
    transport_close(&l);
    remove_socket_path(path);
}

static void test_port_zero_resolves(void)
{
    struct transport_addr a;
    struct transport_listener l;
    const char *why;
    CHECK_EQ(transport_parse("127.0.0.1:0", &a, &why), 0);
    CHECK_EQ(transport_listen(&a, &l, &why), 0);
    CHECK(strncmp(l.name, "127.0.0.1:", 10) == 0);
    CHECK(atoi(l.name + 10) > 0);
    transport_close(&l);
    if (transport_parse("[::1]:0", &a, &why) == 0 && transport_listen(&a, &l, &why) == 0) {
        CHECK(strncmp(l.name, "[::1]:", 6) == 0);
        CHECK(atoi(l.name + 6) > 0);
        transport_close(&l);
    } else {
        printf("  (no IPv6 loopback here: [::1] not checked)\n");
    }
}

/* ---- the server, with real sockets ---- */

/* The server with kvmstub's defaults for these cases: x86-64, 'k' ends it with status 42. */
static struct server_thread *server_start(const char *address, bool target_running)
{
    struct server_thread *st = server_thread_new(TARGET_ARCH_X86_64, address, target_running);
    CHECK(st != NULL);
    if (st)
        st->ft.kill_status = 42;
    return st;
}

static int client_connect(const char *name)
{
    int fd;
    if (strncmp(name, "unix:", 5) == 0) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", name + 5);
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        CHECK_EQ(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    } else {
        struct sockaddr_in sin = {.sin_family = AF_INET};
        const char *colon = strrchr(name, ':');
        sin.sin_port = htons((uint16_t)atoi(colon + 1));
        inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
        fd = socket(AF_INET, SOCK_STREAM, 0);
        CHECK_EQ(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    }
    return fd;
}

static void client_send(int fd, const char *payload)
{
    char buf[512];
    size_t n = harness_frame(buf, payload, strlen(payload));
    CHECK_EQ(send(fd, buf, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* The next packet from the server (acks skipped), or NULL on EOF/timeout. */
static const char *client_reply(int fd, struct packet_decoder *d)
{
    static char buf[1];
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, CLIENT_TIMEOUT_MS) != 1)
            return NULL;
        ssize_t n = recv(fd, buf, 1, 0);
        if (n <= 0)
            return NULL;
        enum packet_event ev;
        packet_decode_feed(d, buf, 1, &ev);
        if (ev == PACKET_EV_DATA)
            return packet_decoder_data(d);
    }
}

static const char *client_cmd(int fd, struct packet_decoder *d, const char *payload)
{
    client_send(fd, payload);
    return client_reply(fd, d);
}

/* True when the server closed the connection (EOF or reset), within the timeout. */
static bool client_sees_close(int fd)
{
    char buf[4096];
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, CLIENT_TIMEOUT_MS) != 1)
            return false;
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0)
            return true;
    }
}

static void test_second_client_refused_first_undisturbed(void)
{
    struct packet_decoder d1, d2;
    packet_decoder_init(&d1, 1 << 16);
    packet_decoder_init(&d2, 1 << 16);
    struct server_thread *st = server_start("127.0.0.1:0", false);
    server_thread_go(st);
    int c1 = client_connect(st->address);
    CHECK(strstr(client_cmd(c1, &d1, "qSupported:swbreak+") ?: "", "PacketSize=") != NULL);
    int c2 = client_connect(st->address);
    send(c2, "+", 1, MSG_NOSIGNAL);
    const char *r = client_cmd(c2, &d2, "qSupported:swbreak+");
    CHECK(r != NULL && strncmp(r, "E.", 2) == 0 && strstr(r, "another debugger") != NULL);
    CHECK(client_sees_close(c2));
    close(c2);
    CHECK_STR(client_cmd(c1, &d1, "qAttached"), "1");
    CHECK_STR(client_cmd(c1, &d1, "m1000,2"), "0001");
    client_send(c1, "k");
    CHECK_EQ(server_thread_join(st), 42);
    close(c1);
    packet_decoder_free(&d1);
    packet_decoder_free(&d2);
}

static void test_drop_while_running_then_reattach_and_detach(void)
{
    struct packet_decoder d;
    packet_decoder_init(&d, 1 << 16);
    char path[128], spec[160];
    make_socket_path(path, sizeof(path));
    snprintf(spec, sizeof(spec), "unix:%s", path);
    struct server_thread *st = server_start(spec, false);
    server_thread_go(st);

    int c = client_connect(spec);
    CHECK_STR(client_cmd(c, &d, "QStartNoAckMode"), "OK");
    client_send(c, "vCont;c"); /* runs until interrupted */
    close(c);                  /* dropped while running: the server stops the target */

    c = client_connect(spec);
    const char *r = client_cmd(c, &d, "?");
    CHECK(r && strncmp(r, "T02thread:01;", 13) == 0);
    CHECK_STR(client_cmd(c, &d, "D"), "OK"); /* detach: the guest runs on */
    CHECK(client_sees_close(c));
    close(c);

    c = client_connect(spec); /* a client of a running guest: stopped first */
    r = client_cmd(c, &d, "?");
    CHECK(r && strncmp(r, "T02thread:01;", 13) == 0);
    client_send(c, "k");
    CHECK_EQ(server_thread_join(st), 42);
    close(c);
    CHECK(access(path, F_OK) != 0); /* stub_server_close removed the socket */
    remove_socket_path(path);
    packet_decoder_free(&d);
}

static void test_no_wait_client_stops_the_guest(void)
{
    struct packet_decoder d;
    packet_decoder_init(&d, 1 << 16);
    struct server_thread *st = server_start("127.0.0.1:0", true);
    server_thread_go(st);
    int c = client_connect(st->address);
    const char *r = client_cmd(c, &d, "?");
    CHECK(r && strncmp(r, "T02", 3) == 0);
    /* the guest exits while debugged: W, then the server returns its status */
    st->ft.stop_on_resume = true;
    st->ft.next_stop = (struct stop_event){.kind = STOP_EXITED, .exit_status = 5};
    CHECK_STR(client_cmd(c, &d, "vCont;c"), "W05");
    CHECK_EQ(server_thread_join(st), 5);
    close(c);
    packet_decoder_free(&d);
}

static void test_guest_exit_while_detached(void)
{
    struct packet_decoder d;
    packet_decoder_init(&d, 1 << 16);
    struct server_thread *st = server_start("127.0.0.1:0", false);
    st->ft.exit_on_detach = true;
    st->ft.kill_status = 9;
    server_thread_go(st);
    int c = client_connect(st->address);
    CHECK_STR(client_cmd(c, &d, "D"), "OK");
    CHECK_EQ(server_thread_join(st), 9);
    close(c);
    packet_decoder_free(&d);
}

/* The flood of a client that never reads: m requests for all of the fake RAM (16 KiB, a 32 KiB
 * hex reply each). Read at once, their replies are 32 MiB, four times the output limit beyond
 * which the server drops a client (CONN_OUT_LIMIT), and far more than its socket takes
 * besides (a send buffer of a few MiB at most; the client's receive buffer is 4 KiB). The
 * 14 KiB of requests fit the window of a connection nobody has accepted yet. */
#define FLOOD_REQUEST      "m1000,4000"
#define FLOOD_FRAMED_BYTES (sizeof(FLOOD_REQUEST) + 3) /* $...#xx */
#define FLOOD_REQUESTS     1024
#define FLOOD_RCVBUF       4096

/* True once the server's side has acknowledged all that was sent on fd (nothing left in its
 * SIOCOUTQ), within the timeout: the bytes are in the server's socket. No event tells this,
 * so it looks every millisecond. */
static bool client_all_acked(int fd)
{
    for (int waited_ms = 0; waited_ms < CLIENT_TIMEOUT_MS; waited_ms++) {
        int unacked;
        if (ioctl(fd, SIOCOUTQ, &unacked) < 0)
            return false;
        if (unacked == 0)
            return true;
        poll(NULL, 0, 1);
    }
    return false;
}

/* True when the server's side hung up (a reset, or its end of stream reached fd's socket),
 * within the timeout, without reading what it sent before. */
static bool client_sees_hangup(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLRDHUP};
    return poll(&p, 1, CLIENT_TIMEOUT_MS) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static void test_client_not_reading_is_dropped(void)
{
    struct packet_decoder d;
    packet_decoder_init(&d, 1 << 16);
    struct server_thread *st = server_start("127.0.0.1:0", false);
    /* The flooding client connects and sends before the server serves: its requests are all
     * in the server's socket before its first read, which takes them together. */
    int flood = client_connect(st->address);
    int rcv = FLOOD_RCVBUF;
    setsockopt(flood, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
    char pkt[32], buf[FLOOD_REQUESTS * FLOOD_FRAMED_BYTES];
    size_t plen = harness_frame(pkt, FLOOD_REQUEST, strlen(FLOOD_REQUEST)), n = 0;
    while (n + plen <= sizeof(buf)) {
        memcpy(buf + n, pkt, plen);
        n += plen;
    }
    CHECK_EQ(send(flood, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT), (ssize_t)n);
    CHECK(client_all_acked(flood));
    server_thread_go(st);
    /* Replies come: the server has read the flood, and queued past its limit, it drops the
     * client. The client's next byte then meets a closed socket (or one closed with it
     * unread), which resets the connection: the client sees that without reading the
     * replies through its 4 KiB window. */
    struct pollfd p = {.fd = flood, .events = POLLIN};
    CHECK_EQ(poll(&p, 1, CLIENT_TIMEOUT_MS), 1);
    CHECK_EQ(send(flood, "+", 1, MSG_NOSIGNAL), 1);
    CHECK(client_sees_hangup(flood) && client_sees_close(flood)); /* dropped */
    close(flood);
    int c = client_connect(st->address); /* and the server still serves */
    CHECK_STR(client_cmd(c, &d, "qAttached"), "1");
    client_send(c, "k");
    CHECK_EQ(server_thread_join(st), 42);
    close(c);
    packet_decoder_free(&d);
}

static void test_listen_errors_return_null(void)
{
    CHECK(stub_server_listen("host:") == NULL);
    CHECK(stub_server_listen("unix:/nonexistent-dir/x/y.sock") == NULL);
    CHECK(stub_server_listen("256.1.1.1:1") == NULL);
}

int main(void)
{
    RUN(test_parse_good_addresses);
    RUN(test_parse_bad_addresses);
    RUN(test_unix_socket_mode_0600);
    RUN(test_stale_unix_socket_is_replaced);
    RUN(test_port_zero_resolves);
    RUN(test_second_client_refused_first_undisturbed);
    RUN(test_drop_while_running_then_reattach_and_detach);
    RUN(test_no_wait_client_stops_the_guest);
    RUN(test_guest_exit_while_detached);
    RUN(test_client_not_reading_is_dropped);
    RUN(test_listen_errors_return_null);
    return CHECK_DONE();
}
