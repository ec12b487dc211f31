/* stub/cmd_lldb.c — the packets LLDB's gdb-remote asks beyond gdb's: qHostInfo and
 * qProcessInfo (the triple, pointer size and byte order, from the register layout gdb or LLDB
 * was given), QThreadSuffixSupported (g/p/P name their thread: stub/cmd_schema.h's T),
 * QListThreadsInStopReply (stop replies list every thread), qMemoryRegionInfo (the target's
 * page walk: extent and permissions) and qThreadStopInfo (why one thread stopped).
 */
#include "stub/session_internal.h"

#include <stdio.h>
#include <string.h>

/* The triple each layout's code runs as, and its pointer size. The OS is "unknown": a guest is
 * a bare machine, not a process of an OS, and with an unknown OS LLDB loads the image's
 * sections where the ELF says (its static loader), so breakpoints by name resolve; told
 * "linux", it waits for a Linux process's dynamic loader and leaves them unresolved. */
static const struct {
    const char *triple;
    int ptrsize;
} lldb_arches[] = {
    [TARGET_ARCH_I8086] = {"i386-unknown-unknown", 4},
    [TARGET_ARCH_I386] = {"i386-unknown-unknown", 4},
    [TARGET_ARCH_X86_64] = {"x86_64-unknown-unknown", 8},
};

/* The guest as one process (LLDB wants a pid; it never changes). */
#define LLDB_PID 1

/* qHostInfo (process 0) or qProcessInfo (process 1): "key:value;" pairs. */
void cmd_lldb_host_info(struct session *s, const struct cmd_args *a, int process)
{
    enum target_arch arch = s->target.ops->arch(s->target.ctx);
    if ((unsigned)arch >= sizeof(lldb_arches) / sizeof(lldb_arches[0]))
        arch = TARGET_ARCH_X86_64;
    const char *triple = lldb_arches[arch].triple;
    char buf[96];
    packet_begin(&s->out);
    if (process) {
        snprintf(buf, sizeof(buf), "pid:%x;parent-pid:%x;", LLDB_PID, LLDB_PID);
        packet_put_str(&s->out, buf);
    }
    packet_put_str(&s->out, "triple:");
    packet_put_hex(&s->out, triple, strlen(triple));
    snprintf(buf, sizeof(buf), ";ptrsize:%d;endian:little;ostype:unknown;vendor:unknown;",
             lldb_arches[arch].ptrsize);
    packet_put_str(&s->out, buf);
    packet_end(&s->out);
}

/* QThreadSuffixSupported, QListThreadsInStopReply: OK, and the session does it from now on. */
void cmd_lldb_enable(struct session *s, const struct cmd_args *a, int what)
{
    /* The thread suffix is always understood (the schemas take it where it is absent too). */
    if (what == LLDB_THREADS_IN_STOP)
        s->threads_in_stop = true;
    session_reply_ok(s);
}

/* qMemoryRegionInfo:ADDR → "start:S;size:N;permissions:rwx;", no permissions when unmapped. */
void cmd_lldb_memory_region(struct session *s, const struct cmd_args *a, int arg)
{
    struct target_mem_region r = {0};
    int thread = session_thread_resolve(s, s->g_thread);
    int rc = s->target.ops->memory_region(s->target.ctx, thread, a->v[0].u, &r);
    if (rc < 0) {
        session_reply_error(s, -rc);
        return;
    }
    char buf[96];
    int n = snprintf(buf, sizeof(buf), "start:%llx;size:%llx;", (unsigned long long)r.start,
                     (unsigned long long)(r.size ? r.size : 1));
    if (r.mapped)
        snprintf(buf + n, sizeof(buf) - (size_t)n, "permissions:r%s%s;", r.write ? "w" : "",
                 r.exec ? "x" : "");
    session_reply_str(s, buf);
}

/* qThreadStopInfoTID: the stop reply for that thread — the last stop's for its thread, signal
 * 0 (stopped with the others, no reason of its own) for every other. */
void cmd_lldb_thread_stop_info(struct session *s, const struct cmd_args *a, int arg)
{
    int tid = a->v[0].tid;
    if (!session_thread_valid(s, tid)) {
        session_reply_error(s, EINVAL);
        return;
    }
    struct stop_event ev = s->last_stop;
    if (session_thread_resolve(s, ev.thread) != tid)
        ev = (struct stop_event){.kind = STOP_SIGNAL, .thread = tid, .signal = GDB_SIGNAL_0};
    stop_reply_send(s, &ev);
}
