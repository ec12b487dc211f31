/* stub/session_internal.h — what the packet handlers (stub/cmd_*.c) share with the engine.
 *
 * Not for use outside stub/: the server and tests use stub/session.h.
 */
#ifndef KVMSTUB_STUB_SESSION_INTERNAL_H
#define KVMSTUB_STUB_SESSION_INTERNAL_H

#include "stub/agent_expr.h"
#include "stub/cmd_schema.h"
#include "stub/hex.h"
#include "stub/packet.h"
#include "stub/regs.h"
#include "stub/session.h"

#include <errno.h>
#include <stdint.h>

/* Thread ids in H packets and vCont: -1 all threads, 0 any thread. */
#define THREAD_ALL -1
#define THREAD_ANY 0

/* Files the debugger may have open at once through vFile (stub/cmd_file.c). */
#define SESSION_MAX_FILES 8

struct session {
    struct target target;
    const struct regs_layout *layout;
    struct packet_decoder dec;
    struct packet_writer out;
    enum session_state state;
    bool ack_mode;
    bool resent;  /* the last packet went out again for a NAK of this read, and no packet came since
                   */
    bool running; /* resumed: waiting for a stop */
    int nthreads;
    int cur_thread;              /* the thread of the last stop */
    int g_thread;                /* Hg: a thread, or THREAD_ANY */
    int c_thread;                /* Hc: a thread, THREAD_ANY or THREAD_ALL */
    int thread_cursor;           /* next thread for qsThreadInfo */
    struct stop_event last_stop; /* the target's stop state, as last reported (what '?' says) */
    int exit_status;
    uint8_t *scratch; /* SESSION_PACKET_SIZE bytes: memory transfers, monitor commands */
    struct resume_action *actions; /* nthreads entries */
    char *xml;                     /* target.xml */
    size_t xml_len;
    char *threads_xml; /* qXfer:threads:read: the thread list as of its first chunk */
    size_t threads_xml_len;
    bool threads_in_stop;         /* QListThreadsInStopReply: stop replies name every thread */
    int files[SESSION_MAX_FILES]; /* vFile: the host fd of each of gdb's fds, -1 when free */
};

/* A packet handler: a holds the arguments its table row's schema parsed (stub/cmd_schema.h),
 * arg is the row's parameter. */
typedef void (*cmd_handler_fn)(struct session *s, const struct cmd_args *a, int arg);

/* Replies. */
void session_reply_str(struct session *s, const char *payload);
void session_reply_ok(struct session *s);
void session_reply_empty(struct session *s);
/* "Enn" with the errno value in hex (EINVAL → E16). */
void session_reply_error(struct session *s, int err);

/* Registers of a thread while stopped, from the target (which caches them: the engine keeps
 * no copy). 0 or -errno. session_regs_write() writes all of them back. */
int session_regs_read(struct session *s, int thread, struct x86_regs *out);
int session_regs_write(struct session *s, int thread, const struct x86_regs *regs);

/* The thread an Hg/Hc setting names (THREAD_ANY/THREAD_ALL → the current thread). */
int session_thread_resolve(const struct session *s, int tid);
bool session_thread_valid(const struct session *s, int tid);
/* Start the target with s->actions (reply on error, running on success). */
void cmd_resume_start(struct session *s);
/* The stop reply for ev (T/W/X), stub/stop_reply.c. */
void stop_reply_send(struct session *s, const struct stop_event *ev);

/* Text for gdb's console: 'O' packets (valid in reply to qRcmd, and while the target runs). */
void session_put_console(struct session *s, const char *text, size_t len);
/* qSupported: what the table's rows advertise for the operations the target has. */
void session_put_supported(struct session *s);

/* Handlers, by packet family. */
void cmd_mem_read(struct session *s, const struct cmd_args *a, int encoding);
void cmd_mem_write(struct session *s, const struct cmd_args *a, int encoding);
enum { MEM_HEX, MEM_BINARY };
void cmd_mem_search(struct session *s, const struct cmd_args *a, int arg);

void cmd_regs_read_all(struct session *s, const struct cmd_args *a, int arg);
void cmd_regs_write_all(struct session *s, const struct cmd_args *a, int arg);
void cmd_regs_read_one(struct session *s, const struct cmd_args *a, int arg);
void cmd_regs_write_one(struct session *s, const struct cmd_args *a, int arg);

void cmd_resume_simple(struct session *s, const struct cmd_args *a, int arg);
enum { RESUME_ARG_SIGNAL = 0x100 }; /* or'ed with enum resume_kind: C/S carry a signal */
void cmd_resume_vcont_query(struct session *s, const struct cmd_args *a, int arg);
void cmd_resume_vcont(struct session *s, const struct cmd_args *a, int arg);
void cmd_resume_reverse(struct session *s, const struct cmd_args *a, int arg);
void cmd_resume_why(struct session *s, const struct cmd_args *a, int arg);
void cmd_resume_detach(struct session *s, const struct cmd_args *a, int arg);
void cmd_resume_kill(struct session *s, const struct cmd_args *a, int arg);

void cmd_break(struct session *s, const struct cmd_args *a, int insert);

void cmd_thread_set(struct session *s, const struct cmd_args *a, int arg);
void cmd_thread_alive(struct session *s, const struct cmd_args *a, int arg);
void cmd_thread_current(struct session *s, const struct cmd_args *a, int arg);
void cmd_thread_list(struct session *s, const struct cmd_args *a, int first);
void cmd_thread_extra_info(struct session *s, const struct cmd_args *a, int arg);

void cmd_query_supported(struct session *s, const struct cmd_args *a, int arg);
void cmd_query_reply(struct session *s, const struct cmd_args *a, int reply);
enum { QUERY_REPLY_EMPTY, QUERY_REPLY_OK, QUERY_REPLY_ATTACHED };
void cmd_query_no_ack(struct session *s, const struct cmd_args *a, int arg);
void cmd_query_monitor(struct session *s, const struct cmd_args *a, int arg);
void cmd_query_offsets(struct session *s, const struct cmd_args *a, int arg);
/* qqemu.PhyMemMode and Qqemu.PhyMemMode:0|1: the target's physical-address mode. */
void cmd_query_phys_mode(struct session *s, const struct cmd_args *a, int arg);
void cmd_query_set_phys_mode(struct session *s, const struct cmd_args *a, int arg);

/* qXfer:OBJECT:read (stub/cmd_xfer.c). */
void cmd_xfer_read(struct session *s, const struct cmd_args *a, int object);
enum { XFER_FEATURES, XFER_THREADS, XFER_EXEC_FILE };
void cmd_xfer_free(struct session *s);

/* vFile: read-only host I/O on the target's exec file and nothing else (stub/cmd_file.c). */
void cmd_file_init(struct session *s);
void cmd_file_close_all(struct session *s);
void cmd_file_setfs(struct session *s, const struct cmd_args *a, int arg);
void cmd_file_open(struct session *s, const struct cmd_args *a, int arg);
void cmd_file_pread(struct session *s, const struct cmd_args *a, int arg);
void cmd_file_close(struct session *s, const struct cmd_args *a, int arg);
void cmd_file_fstat(struct session *s, const struct cmd_args *a, int arg);

/* LLDB's packets (stub/cmd_lldb.c). */
void cmd_lldb_host_info(struct session *s, const struct cmd_args *a, int process);
void cmd_lldb_enable(struct session *s, const struct cmd_args *a, int what);
enum { LLDB_THREAD_SUFFIX, LLDB_THREADS_IN_STOP };
void cmd_lldb_memory_region(struct session *s, const struct cmd_args *a, int arg);
void cmd_lldb_thread_stop_info(struct session *s, const struct cmd_args *a, int arg);

#endif
