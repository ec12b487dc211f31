/* bench/linux_boot.c — Linux boot to a marker. Implements linux_boot.h. */
#include "bench/linux_boot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/clock.h"

#define BOOT_POLL_US       20000
#define BOOT_TAIL          8192 /* console text kept for the marker and the last line */
#define BOOT_LINE_MAX      160
#define BOOT_ARG_LEN       4200
#define BOOT_REAP_GRACE_MS 3000
/* What QEMU prints on stderr when KVM cannot go on (it then pauses the VM for ever). */
#define QEMU_KVM_FAILURE "KVM internal error"

/* The tail of a growing file, read incrementally. */
struct file_tail {
    const char *path;
    int fd;
    char text[BOOT_TAIL + 1];
    size_t len;
};

static void tail_read(struct file_tail *t)
{
    if (t->fd < 0 && (t->fd = open(t->path, O_RDONLY | O_CLOEXEC)) < 0)
        return;
    char buf[BOOT_TAIL];
    ssize_t n;
    while ((n = read(t->fd, buf, sizeof(buf))) > 0) {
        size_t keep = t->len + (size_t)n > BOOT_TAIL ? BOOT_TAIL - (size_t)n : t->len;
        memmove(t->text, t->text + t->len - keep, keep);
        memcpy(t->text + keep, buf, (size_t)n);
        t->len = keep + (size_t)n;
        /* NULs (a console's padding) would end the string searches early. */
        for (size_t i = keep; i < t->len; i++)
            if (t->text[i] == '\0')
                t->text[i] = ' ';
        t->text[t->len] = '\0';
    }
}

static void tail_close(struct file_tail *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
}

/* The last non-empty line of the tail, without its line end. */
static void last_line(const struct file_tail *t, char *out, size_t len)
{
    size_t end = t->len;
    while (end > 0 && (t->text[end - 1] == '\n' || t->text[end - 1] == '\r'))
        end--;
    size_t start = end;
    while (start > 0 && t->text[start - 1] != '\n' && t->text[start - 1] != '\r')
        start--;
    if (end == start) {
        snprintf(out, len, "(nothing on the console)");
        return;
    }
    snprintf(out, len, "'%.*s'", (int)(end - start < BOOT_LINE_MAX ? end - start : BOOT_LINE_MAX),
             t->text + start);
}

static void build_argv(const struct linux_boot_cmd *cmd, char *argv[], char args[][BOOT_ARG_LEN])
{
    int n = 0;
    argv[n++] = (char *)cmd->binary;
    if (cmd->kind == STUB_KVMSTUB) {
        snprintf(args[0], BOOT_ARG_LEN, "file:%s", cmd->console);
        snprintf(args[1], BOOT_ARG_LEN, "%uM", cmd->memory_mib);
        const char *rest[] = {"--initrd", cmd->initrd, "--console", args[0],
                              "-m",       args[1],     cmd->kernel};
        for (size_t i = 0; i < sizeof(rest) / sizeof(*rest); i++)
            argv[n++] = (char *)rest[i];
    } else {
        snprintf(args[0], BOOT_ARG_LEN, "file:%s", cmd->console);
        snprintf(args[1], BOOT_ARG_LEN, "%u", cmd->memory_mib);
        const char *rest[] = {"-enable-kvm", "-nodefaults", "-display",  "none",    "-monitor",
                              "none",        "-no-reboot",  "-m",        args[1],   "-kernel",
                              cmd->kernel,   "-initrd",     cmd->initrd, "-append", cmd->cmdline,
                              "-serial",     args[0]};
        for (size_t i = 0; i < sizeof(rest) / sizeof(*rest); i++)
            argv[n++] = (char *)rest[i];
    }
    argv[n] = NULL;
}

int linux_boot_measure(const struct linux_boot_cmd *cmd, struct linux_boot_times *t, char *why,
                       size_t whylen)
{
    char *argv[32], args[2][BOOT_ARG_LEN], line[BOOT_LINE_MAX + 8];
    struct file_tail console = {.path = cmd->console, .fd = -1};
    struct file_tail log = {.path = cmd->log, .fd = -1};
    int status = 0;
    struct rusage usage;
    t->milestone_s = -1;
    build_argv(cmd, argv, args);
    unlink(cmd->console);
    unlink(cmd->log);
    double t0 = clock_now_us();
    pid_t pid = stub_spawn(argv, cmd->log);
    if (pid < 0) {
        snprintf(why, whylen, "cannot start %s: %s", cmd->binary, strerror(errno));
        return -1;
    }
    int rc = -1;
    bool exited = false;
    for (;;) {
        exited = waitpid(pid, &status, WNOHANG) == pid;
        tail_read(&console);
        tail_read(&log);
        double elapsed = (clock_now_us() - t0) / 1e6;
        last_line(&console, line, sizeof(line));
        if (cmd->milestone && t->milestone_s < 0 && strstr(console.text, cmd->milestone))
            t->milestone_s = elapsed;
        if (strstr(console.text, cmd->marker)) {
            t->marker_s = elapsed;
            rc = 0;
        } else if (exited) {
            snprintf(why, whylen,
                     "ended (%s %d) after %.0f s before the marker; last console "
                     "line: %s",
                     WIFEXITED(status) ? "status" : "signal",
                     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), elapsed, line);
        } else if (strstr(log.text, QEMU_KVM_FAILURE)) {
            snprintf(why, whylen, "%s after %.0f s; last console line: %s", QEMU_KVM_FAILURE,
                     elapsed, line);
        } else if (elapsed > cmd->timeout_s) {
            snprintf(why, whylen, "no marker in %d s; last console line: %s", cmd->timeout_s, line);
        } else {
            clock_sleep_us(BOOT_POLL_US);
            continue;
        }
        break;
    }
    if (!exited)
        stub_reap(pid, BOOT_REAP_GRACE_MS, &status, &usage);
    tail_close(&console);
    tail_close(&log);
    return rc;
}
