/* bench/debug_session.c — the debugger session. Implements debug_session.h. */
#include "bench/debug_session.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* What gdb 13 offers, minus multiprocess (plain thread ids are simpler to compare). */
#define DBG_QSUPPORTED     "qSupported:swbreak+;hwbreak+;vContSupported+;xmlRegisters=i386"
#define DBG_REQUEST_MAX    128
#define DBG_DEFAULT_PACKET 400 /* gdb's assumption when a stub says nothing */

static int dbg_fail(struct dbg_session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof(s->err), fmt, ap);
    va_end(ap);
    return -1;
}

static int dbg_request(struct dbg_session *s, const char *request, const char **reply, size_t *len)
{
    if (rsp_request(s->conn, request, DBG_REPLY_TIMEOUT_MS, reply, len) < 0)
        return dbg_fail(s, "%.24s: %s", request, rsp_error(s->conn));
    return 0;
}

int dbg_request_ok(struct dbg_session *s, const char *request)
{
    const char *reply;
    size_t len;
    if (dbg_request(s, request, &reply, &len) < 0)
        return -1;
    if (strcmp(reply, "OK") != 0)
        return dbg_fail(s, "%.24s: reply '%.40s'%s", request, reply,
                        len == 0 ? " (empty: not supported)" : "");
    return 0;
}

int dbg_wait_stop(struct dbg_session *s, int timeout_ms, struct stop_reply *stop)
{
    for (;;) {
        const char *reply;
        size_t len;
        if (rsp_recv(s->conn, timeout_ms, &reply, &len) < 0)
            return dbg_fail(s, "waiting for a stop: %s", rsp_error(s->conn));
        if (reply[0] == 'O' && len > 1 && strcmp(reply, "OK") != 0)
            continue; /* console output */
        if (!stop_reply_parse(reply, len, s->desc.pc_regnum, s->desc.pc_size, stop))
            return dbg_fail(s, "expected a stop reply, got '%.40s'", reply);
        return 0;
    }
}

int dbg_resume(struct dbg_session *s, const char *request, int timeout_ms, struct stop_reply *stop)
{
    if (rsp_send_str(s->conn, request) < 0)
        return dbg_fail(s, "%s: %s", request, rsp_error(s->conn));
    return dbg_wait_stop(s, timeout_ms, stop);
}

int dbg_open(struct dbg_session *s, const char *host, unsigned port)
{
    const char *reply;
    size_t len;
    struct stop_reply stop;
    memset(s, 0, sizeof(*s));
    s->conn = rsp_connect(host, port, s->err, sizeof(s->err));
    if (!s->conn)
        return -1;
    if (dbg_request(s, DBG_QSUPPORTED, &reply, &len) < 0)
        return -1;
    s->packet_size = features_hex_value(reply, "PacketSize");
    if (!s->packet_size)
        s->packet_size = DBG_DEFAULT_PACKET;
    s->binary_upload = features_has(reply, "binary-upload");
    s->reverse = features_has(reply, "ReverseStep") && features_has(reply, "ReverseContinue");
    bool no_ack = features_has(reply, "QStartNoAckMode");
    if (no_ack) {
        if (dbg_request_ok(s, "QStartNoAckMode") < 0)
            return -1;
        rsp_set_no_ack(s->conn);
    }
    if (target_desc_fetch(s->conn, DBG_REPLY_TIMEOUT_MS, &s->desc, s->err, sizeof(s->err)) < 0)
        return -1;
    if (dbg_request(s, "vCont?", &reply, &len) < 0)
        return -1;
    s->vcont_step = strncmp(reply, "vCont", 5) == 0 && strstr(reply, ";s") != NULL;
    if (dbg_resume(s, "?", DBG_REPLY_TIMEOUT_MS, &stop) < 0)
        return -1;
    if (stop.kind != 'T' && stop.kind != 'S')
        return dbg_fail(s, "the guest is not stopped (reply '%c')", stop.kind);
    snprintf(s->thread, sizeof(s->thread), "%s", stop.thread[0] ? stop.thread : "1");
    return 0;
}

void dbg_close(struct dbg_session *s)
{
    rsp_close(s->conn);
    s->conn = NULL;
}

int dbg_read_pc(struct dbg_session *s, uint64_t *pc)
{
    const char *reply;
    size_t len;
    const struct target_desc *d = &s->desc;
    if (dbg_request(s, "g", &reply, &len) < 0)
        return -1;
    if (len < 2 * (d->pc_offset + d->pc_size) ||
        !hex_le_decode(reply + 2 * d->pc_offset, d->pc_size, pc))
        return dbg_fail(s, "g: reply of %zu characters has no %s at byte %zu", len, d->pc_name,
                        d->pc_offset);
    return 0;
}

int dbg_stop_pc(struct dbg_session *s, const struct stop_reply *stop, uint64_t *pc)
{
    if (stop->has_pc) {
        *pc = stop->pc;
        return 0;
    }
    return dbg_read_pc(s, pc);
}

/* As gdb does, the registers are read before one is written: QEMU 7.2 (with KVM) loses a `P`
 * that comes before any register read since the guest last ran. */
int dbg_set_pc(struct dbg_session *s, uint64_t pc)
{
    char req[DBG_REQUEST_MAX];
    uint64_t check;
    int n = snprintf(req, sizeof(req), "P%x=", (unsigned)s->desc.pc_regnum);
    hex_le_encode(req + n, pc, s->desc.pc_size);
    if (dbg_read_pc(s, &check) < 0 || dbg_request_ok(s, req) < 0 || dbg_read_pc(s, &check) < 0)
        return -1;
    if (check != pc)
        return dbg_fail(s, "P: the pc reads 0x%" PRIx64 " after writing 0x%" PRIx64, check, pc);
    return 0;
}

int dbg_read_mem(struct dbg_session *s, uint64_t addr, size_t len, bool binary, uint8_t *buf,
                 size_t *got)
{
    char req[DBG_REQUEST_MAX];
    const char *reply;
    size_t rlen;
    snprintf(req, sizeof(req), "%c%" PRIx64 ",%zx", binary ? 'x' : 'm', addr, len);
    if (dbg_request(s, req, &reply, &rlen) < 0)
        return -1;
    if (reply_is_error(reply, rlen) || rlen == 0)
        return dbg_fail(s, "%s: reply '%.40s'", req, reply);
    if (binary) {
        if (reply[0] != 'b')
            return dbg_fail(s, "%s: reply without the 'b' prefix", req);
        size_t n = binary_decode(reply + 1, rlen - 1, buf, len);
        if (n == SIZE_MAX)
            return dbg_fail(s, "%s: more bytes than asked", req);
        *got = n;
        return 0;
    }
    if (rlen / 2 > len || !hex_to_bytes(reply, rlen, buf))
        return dbg_fail(s, "%s: malformed reply of %zu characters", req, rlen);
    *got = rlen / 2;
    return 0;
}

int dbg_read_u32(struct dbg_session *s, uint64_t addr, uint32_t *value)
{
    uint8_t b[4];
    size_t got;
    if (dbg_read_mem(s, addr, sizeof(b), false, b, &got) < 0)
        return -1;
    if (got != sizeof(b))
        return dbg_fail(s, "m%" PRIx64 ",4: %zu bytes", addr, got);
    *value = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 0;
}

int dbg_break(struct dbg_session *s, bool insert, enum dbg_break_type type, uint64_t addr)
{
    char req[DBG_REQUEST_MAX];
    snprintf(req, sizeof(req), "%c%d,%" PRIx64 ",1", insert ? 'Z' : 'z', (int)type, addr);
    return dbg_request_ok(s, req);
}

/* Interrupt a running guest (0x03) and take its stop. */
static int dbg_interrupt(struct dbg_session *s, int timeout_ms, struct stop_reply *stop)
{
    if (rsp_send_interrupt(s->conn) < 0)
        return dbg_fail(s, "interrupt: %s", rsp_error(s->conn));
    return dbg_wait_stop(s, timeout_ms, stop);
}

int dbg_run_to(struct dbg_session *s, uint64_t addr, uint64_t spin_end, int timeout_ms)
{
    struct stop_reply stop;
    uint64_t pc;
    int slice = timeout_ms < DBG_RUN_TO_SLICE_MS ? timeout_ms : DBG_RUN_TO_SLICE_MS;
    if (dbg_break(s, true, DBG_BREAK_HW, addr) < 0 || rsp_send_str(s->conn, "c") < 0)
        return dbg_fail(s, "run to 0x%" PRIx64 ": %s", addr, rsp_error(s->conn));
    if (rsp_pending(s->conn, slice)) {
        if (dbg_wait_stop(s, timeout_ms, &stop) < 0)
            return -1;
        if (dbg_break(s, false, DBG_BREAK_HW, addr) < 0 || dbg_stop_pc(s, &stop, &pc) < 0)
            return -1;
        if (stop.kind != 'T' || stop.signal != RSP_SIGNAL_TRAP || pc != addr)
            return dbg_fail(s, "run to 0x%" PRIx64 ": stopped with %c%02x at 0x%" PRIx64, addr,
                            stop.kind, stop.signal, pc);
        return 0;
    }
    /* No stop in the slice: look where the guest is, without the breakpoint, until it spins. */
    if (dbg_interrupt(s, DBG_REPLY_TIMEOUT_MS, &stop) < 0 ||
        dbg_break(s, false, DBG_BREAK_HW, addr) < 0)
        return -1;
    for (int waited = slice, pause = 50;;
         waited += pause, pause = pause < 800 ? 2 * pause : pause) {
        if (dbg_stop_pc(s, &stop, &pc) < 0)
            return -1;
        if (pc >= addr && pc < spin_end)
            return 0;
        if (waited >= timeout_ms)
            return dbg_fail(s, "run to 0x%" PRIx64 ": still at 0x%" PRIx64 " after %d ms", addr, pc,
                            waited);
        if (rsp_send_str(s->conn, "c") < 0)
            return dbg_fail(s, "run to 0x%" PRIx64 ": %s", addr, rsp_error(s->conn));
        if (rsp_pending(s->conn, pause))
            return dbg_fail(s, "run to 0x%" PRIx64 ": an unexpected stop", addr);
        if (dbg_interrupt(s, DBG_REPLY_TIMEOUT_MS, &stop) < 0)
            return -1;
    }
}

int dbg_monitor(struct dbg_session *s, const char *command)
{
    char request[DBG_REQUEST_MAX] = "qRcmd,";
    char printed[DBG_ERR_MAX] = "";
    size_t n = strlen(request), plen = 0;
    for (const char *c = command; *c; c++) {
        if (n + 3 > sizeof(request))
            return dbg_fail(s, "monitor %s: too long", command);
        snprintf(request + n, 3, "%02x", (unsigned char)*c);
        n += 2;
    }
    if (rsp_send_str(s->conn, request) < 0)
        return dbg_fail(s, "monitor %s: %s", command, rsp_error(s->conn));
    for (;;) {
        const char *reply;
        size_t len;
        if (rsp_recv(s->conn, DBG_REPLY_TIMEOUT_MS, &reply, &len) < 0)
            return dbg_fail(s, "monitor %s: %s", command, rsp_error(s->conn));
        if (reply[0] == 'O' && len > 1 && strcmp(reply, "OK") != 0) {
            /* Printed text, hex encoded. */
            for (size_t i = 1; i + 1 < len && plen + 1 < sizeof(printed); i += 2) {
                uint8_t byte;
                if (!hex_to_bytes(reply + i, 2, &byte))
                    break;
                printed[plen++] = byte == '\n' ? ' ' : (char)byte;
            }
            printed[plen] = '\0';
            continue;
        }
        if (strcmp(reply, "OK") != 0)
            return dbg_fail(s, "monitor %s: reply '%.40s'", command, reply);
        if (strncmp(printed, "error", 5) == 0)
            return dbg_fail(s, "monitor %s: %s", command, printed);
        return 0;
    }
}
