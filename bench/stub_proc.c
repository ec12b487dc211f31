/* bench/stub_proc.c — the stub processes. Implements stub_proc.h. */
#include "bench/stub_proc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/clock.h"

#define STUB_LISTEN_TIMEOUT_US (20 * 1000 * 1000.0)
#define STUB_PROBE_INTERVAL_US 200
#define STUB_STOP_GRACE_MS     3000
#define STUB_REAP_POLL_US      2000
#define STUB_ARGV_MAX          32
#define STUB_ARG_LEN           64
#define STUB_PIPE_SIZE         (1 << 20)
#define STUB_LINE_MAX          4096
#define KVMSTUB_LISTEN_LINE    "kvmstub: waiting for gdb on "

const char *stub_kind_name(enum stub_kind kind)
{
    return kind == STUB_KVMSTUB ? "kvmstub" : "QEMU";
}

static void child_exec(char *const argv[], int out_fd, int err_fd)
{
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
        dup2(err_fd, STDERR_FILENO) < 0)
        _exit(127);
    execv(argv[0], argv);
    dprintf(err_fd, "bench: exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

static pid_t spawn_fds(char *const argv[], int out_fd, int err_fd)
{
    pid_t pid = fork();
    if (pid == 0)
        child_exec(argv, out_fd, err_fd);
    return pid;
}

pid_t stub_spawn(char *const argv[], const char *log)
{
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    pid_t pid = spawn_fds(argv, fd, fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return pid;
}

void stub_reap(pid_t pid, int grace_ms, int *status, struct rusage *usage)
{
    double deadline = clock_now_us() + grace_ms * 1000.0;
    bool killed = false;
    kill(pid, SIGTERM);
    for (;;) {
        pid_t r = wait4(pid, status, killed ? 0 : WNOHANG, usage);
        if (r == pid || (r < 0 && errno != EINTR))
            return;
        if (!killed && clock_now_us() > deadline) {
            kill(pid, SIGKILL);
            killed = true;
        } else if (!killed) {
            clock_sleep_us(STUB_REAP_POLL_US);
        }
    }
}

/* A free TCP port on 127.0.0.1 for QEMU (which cannot be told to pick one itself). */
static unsigned free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    unsigned port = 0;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static bool port_accepts(unsigned port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

static bool child_gone(struct stub_proc *p)
{
    return waitpid(p->pid, &p->wait_status, WNOHANG) == p->pid;
}

/* Build argv from a NULL-terminated list into storage that outlives the call. */
struct argv_buf {
    char *argv[STUB_ARGV_MAX];
    char text[STUB_ARGV_MAX][STUB_ARG_LEN];
    int n;
};

static void argv_add(struct argv_buf *a, const char *arg)
{
    if (a->n < STUB_ARGV_MAX - 1)
        a->argv[a->n++] = (char *)arg;
    a->argv[a->n] = NULL;
}

static const char *argv_fmt(struct argv_buf *a, const char *fmt, unsigned v)
{
    char *t = a->text[a->n];
    snprintf(t, STUB_ARG_LEN, fmt, v);
    return t;
}

static void build_argv(const struct stub_cmd *cmd, unsigned port, struct argv_buf *a)
{
    a->n = 0;
    argv_add(a, cmd->binary);
    if (cmd->kind == STUB_KVMSTUB) {
        argv_add(a, "--gdb");
        argv_add(a, STUB_HOST ":0");
        if (cmd->memory_mib) {
            argv_add(a, "-m");
            argv_add(a, argv_fmt(a, "%uM", cmd->memory_mib));
        }
        argv_add(a, cmd->image);
        return;
    }
    const char *fixed[] = {"-enable-kvm", "-nodefaults", "-display",   "none", "-monitor", "none",
                           "-serial",     "none",        "-no-reboot", "-S",   "-kernel"};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++)
        argv_add(a, fixed[i]);
    argv_add(a, cmd->image);
    argv_add(a, "-m");
    argv_add(a, argv_fmt(a, "%u", cmd->memory_mib ? cmd->memory_mib : STUB_QEMU_DEFAULT_MIB));
    argv_add(a, "-gdb");
    argv_add(a, argv_fmt(a, "tcp:" STUB_HOST ":%u", port));
}

/* kvmstub: read its stderr until the listening line; copy everything to the log. */
static int wait_kvmstub(struct stub_proc *p, char *err, size_t errlen)
{
    char line[STUB_LINE_MAX];
    size_t len = 0;
    double deadline = p->exec_us + STUB_LISTEN_TIMEOUT_US;
    for (;;) {
        struct pollfd pfd = {.fd = p->err_pipe, .events = POLLIN};
        int left_ms = (int)((deadline - clock_now_us()) / 1000);
        if (left_ms <= 0 || poll(&pfd, 1, left_ms) == 0) {
            snprintf(err, errlen, "kvmstub did not listen within %.0f s",
                     STUB_LISTEN_TIMEOUT_US / 1e6);
            return -1;
        }
        ssize_t n = read(p->err_pipe, line + len, sizeof(line) - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            line[len] = '\0';
            snprintf(err, errlen, "kvmstub exited before listening: %.200s", line);
            return -1;
        }
        double now = clock_now_us();
        if (write(p->log_fd, line + len, (size_t)n) < 0) {
            /* the log is a convenience; the measurement goes on */
        }
        len += (size_t)n;
        line[len] = '\0';
        char *at = strstr(line, KVMSTUB_LISTEN_LINE);
        char *eol = at ? strchr(at, '\n') : NULL;
        if (eol) {
            char *colon = memrchr(at, ':', (size_t)(eol - at));
            p->port = colon ? (unsigned)strtoul(colon + 1, NULL, 10) : 0;
            p->listen_us = now;
            if (!p->port) {
                snprintf(err, errlen, "kvmstub: no port in '%.*s'", (int)(eol - at), at);
                return -1;
            }
            return 0;
        }
        if (len == sizeof(line) - 1)
            len = 0; /* a very long unrelated message: forget it */
    }
}

static int wait_qemu(struct stub_proc *p, char *err, size_t errlen)
{
    double deadline = p->exec_us + STUB_LISTEN_TIMEOUT_US;
    while (!port_accepts(p->port)) {
        if (child_gone(p)) {
            p->pid = -1;
            snprintf(err, errlen, "QEMU exited before listening (see its log)");
            return -1;
        }
        if (clock_now_us() > deadline) {
            snprintf(err, errlen, "QEMU did not listen within %.0f s",
                     STUB_LISTEN_TIMEOUT_US / 1e6);
            return -1;
        }
        clock_sleep_us(STUB_PROBE_INTERVAL_US);
    }
    p->listen_us = clock_now_us();
    return 0;
}

int stub_start(const struct stub_cmd *cmd, struct stub_proc *p, char *err, size_t errlen)
{
    struct argv_buf a;
    int pipe_fds[2] = {-1, -1};
    memset(p, 0, sizeof(*p));
    p->kind = cmd->kind;
    p->pid = -1;
    p->err_pipe = -1;
    p->log_fd = open(cmd->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (p->log_fd < 0) {
        snprintf(err, errlen, "%s: %s", cmd->log, strerror(errno));
        return -1;
    }
    if (cmd->kind == STUB_QEMU && !(p->port = free_port())) {
        snprintf(err, errlen, "no free TCP port");
        stub_stop(p);
        return -1;
    }
    build_argv(cmd, p->port, &a);
    if (cmd->kind == STUB_KVMSTUB) {
        if (pipe2(pipe_fds, O_CLOEXEC) < 0) {
            snprintf(err, errlen, "pipe: %s", strerror(errno));
            stub_stop(p);
            return -1;
        }
        fcntl(pipe_fds[0], F_SETPIPE_SZ, STUB_PIPE_SIZE);
        p->err_pipe = pipe_fds[0];
    }
    p->exec_us = clock_now_us();
    p->pid = spawn_fds(a.argv, p->log_fd, cmd->kind == STUB_KVMSTUB ? pipe_fds[1] : p->log_fd);
    if (pipe_fds[1] >= 0)
        close(pipe_fds[1]);
    if (p->pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        stub_stop(p);
        return -1;
    }
    int rc = cmd->kind == STUB_KVMSTUB ? wait_kvmstub(p, err, errlen) : wait_qemu(p, err, errlen);
    if (rc < 0)
        stub_stop(p);
    return rc;
}

/* Copy what kvmstub wrote to stderr since it started listening into the log. */
static void drain_pipe(struct stub_proc *p)
{
    char buf[STUB_LINE_MAX];
    fcntl(p->err_pipe, F_SETFL, O_NONBLOCK);
    for (;;) {
        ssize_t n = read(p->err_pipe, buf, sizeof(buf));
        if (n <= 0 || write(p->log_fd, buf, (size_t)n) < 0)
            break;
    }
}

void stub_stop(struct stub_proc *p)
{
    if (p->pid > 0)
        stub_reap(p->pid, STUB_STOP_GRACE_MS, &p->wait_status, &p->usage);
    p->pid = -1;
    if (p->err_pipe >= 0) {
        drain_pipe(p);
        close(p->err_pipe);
        p->err_pipe = -1;
    }
    if (p->log_fd >= 0)
        close(p->log_fd);
    p->log_fd = -1;
}
