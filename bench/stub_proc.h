/* bench/stub_proc.h — starting and ending the stubs under test: kvmstub and
 * qemu-system-x86_64 -enable-kvm, each serving gdb on 127.0.0.1 with the guest stopped at its
 * entry, and what their process cost (peak RSS from wait4). */
#ifndef KVMSTUB_BENCH_STUB_PROC_H
#define KVMSTUB_BENCH_STUB_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

enum stub_kind { STUB_KVMSTUB, STUB_QEMU, STUB_KINDS };

/* QEMU's guest RAM when none is asked for: enough for the bench guest. */
#define STUB_QEMU_DEFAULT_MIB 64
#define STUB_HOST             "127.0.0.1"

struct stub_cmd {
    enum stub_kind kind;
    const char *binary;
    const char *image;
    unsigned memory_mib; /* 0: kvmstub's default, QEMU's STUB_QEMU_DEFAULT_MIB */
    const char *log;     /* the stub's stderr is appended here */
};

struct stub_proc {
    enum stub_kind kind;
    pid_t pid;
    unsigned port;
    int err_pipe; /* kvmstub: its stderr, copied to the log when the stub ends */
    int log_fd;
    double exec_us;      /* clock_now_us() just before fork */
    double listen_us;    /* when it was seen listening */
    struct rusage usage; /* after stub_stop */
    int wait_status;
};

const char *stub_kind_name(enum stub_kind kind);

/* Start the stub and wait until it listens: kvmstub prints "kvmstub: waiting for gdb on
 * HOST:PORT" (it is given port 0); QEMU gets a free port and counts as listening when a TCP
 * connection to it succeeds. 0, or -1 with a reason in err (the process is then gone). */
int stub_start(const struct stub_cmd *cmd, struct stub_proc *p, char *err, size_t errlen);

/* SIGTERM (SIGKILL if it lingers), reap it, fill usage. */
void stub_stop(struct stub_proc *p);

/* Run argv with stdout and stderr appended to log (and stdin from /dev/null): the child's pid,
 * or -1 with errno. */
pid_t stub_spawn(char *const argv[], const char *log);

/* End a child: SIGTERM, then SIGKILL after grace_ms; its wait status and usage. */
void stub_reap(pid_t pid, int grace_ms, int *status, struct rusage *usage);

#endif
