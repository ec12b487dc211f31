/* bench/debug_session.h — a debugger session opened the way gdb opens one, and the operations
 * the scenarios are built from: resume and wait for the stop, read and set the pc, read
 * memory, insert and remove breakpoints. Each returns 0, or -1 with the reason in s->err. */
#ifndef KVMSTUB_BENCH_DEBUG_SESSION_H
#define KVMSTUB_BENCH_DEBUG_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/rsp_client.h"
#include "bench/rsp_reply.h"
#include "bench/target_desc.h"

/* How long any reply may take, except a run to a stop (the caller says). */
#define DBG_REPLY_TIMEOUT_MS 10000
#define DBG_RUN_TO_SLICE_MS  5000 /* dbg_run_to: how long a breakpoint gets to stop the guest */
#define DBG_ERR_MAX          256

enum dbg_break_type { DBG_BREAK_SW = 0, DBG_BREAK_HW = 1 };

struct dbg_session {
    struct rsp_conn *conn;
    struct target_desc desc;
    uint64_t packet_size; /* PacketSize from qSupported */
    bool binary_upload;   /* binary-upload+: the 'x' packet */
    bool vcont_step;      /* vCont? lists 's' */
    bool reverse;         /* ReverseStep+ and ReverseContinue+: bs and bc */
    char thread[RSP_THREAD_MAX];
    char err[DBG_ERR_MAX];
};

/* Connect and do gdb's handshake: qSupported, QStartNoAckMode (when offered), the target
 * description (QEMU answers p/P only after it), vCont?, '?'. dbg_close afterwards, whatever
 * dbg_open returned. */
int dbg_open(struct dbg_session *s, const char *host, unsigned port);
void dbg_close(struct dbg_session *s);

/* Send a request, expect "OK". */
int dbg_request_ok(struct dbg_session *s, const char *request);

/* Send a resume request (c, s, vCont...) and wait up to timeout_ms for its stop reply;
 * console output ('O' packets) is skipped. */
int dbg_resume(struct dbg_session *s, const char *request, int timeout_ms, struct stop_reply *stop);
/* Wait for the stop reply of a resume already sent (after an interrupt). */
int dbg_wait_stop(struct dbg_session *s, int timeout_ms, struct stop_reply *stop);

/* The pc from the registers ('g'); from the stop reply when it was expedited there. */
int dbg_read_pc(struct dbg_session *s, uint64_t *pc);
int dbg_stop_pc(struct dbg_session *s, const struct stop_reply *stop, uint64_t *pc);
int dbg_set_pc(struct dbg_session *s, uint64_t pc);

/* Read up to len bytes at addr with one 'm' (or 'x' when binary) request; *got says how many
 * came back (a stub may return fewer). */
int dbg_read_mem(struct dbg_session *s, uint64_t addr, size_t len, bool binary, uint8_t *buf,
                 size_t *got);
int dbg_read_u32(struct dbg_session *s, uint64_t addr, uint32_t *value);

/* Z/z with kind 1 (one-byte int3 on x86, ignored for hardware breakpoints). */
int dbg_break(struct dbg_session *s, bool insert, enum dbg_break_type type, uint64_t addr);

/* A monitor command (qRcmd): 0 when the stub answered OK, whatever it printed; the printed text
 * goes to s->err when the stub printed "error". */
int dbg_monitor(struct dbg_session *s, const char *command);

/* Resume with a hardware breakpoint at addr until the guest gets there, where it then spins
 * in [addr, spin_end). Where no breakpoint reaches the stub in DBG_RUN_TO_SLICE_MS (the nested
 * lane's emulated host: neither INT3 nor debug registers do, and kvmstub's exec trap makes the
 * page crawl), the breakpoint goes and the guest is interrupted until its pc is in the spin
 * loop: a stop there counts as arriving. */
int dbg_run_to(struct dbg_session *s, uint64_t addr, uint64_t spin_end, int timeout_ms);

#endif
