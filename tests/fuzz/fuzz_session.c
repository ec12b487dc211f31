/* tests/fuzz/fuzz_session.c — libFuzzer target: the packet decoder and every command handler
 * of the protocol engine, fed hostile debugger input over the fake target of the unit tests.
 *
 * Input: two configuration bytes, then the byte stream from the debugger.
 *   byte 0: bits 0-1 architecture (0 i8086, 1 i386, 2 and 3 x86-64), bits 2-4 threads - 1,
 *           bit 5 a resume stops at once, bits 6-7 what that stop is (signal, swbreak,
 *           watchpoint, guest exit)
 *   byte 1: bit 0 register access fails, bit 1 memory access fails, bit 2 breakpoints are out
 *           of slots, bit 3 a minimal target (no monitor, breakpoints, thread descriptions),
 *           bit 4 detach ends the guest, bits 5-6 the connection breaks (never, at the first
 *           write, at the third, after 64 KiB), bit 7 the fake RAM sits at 1 MiB, where gdb
 *           streams recorded against the test guests read, instead of at 4 KiB
 *   then:   the stream, fed to session_feed() in pieces split at 0xFF bytes. 0xFF 0xFF is a
 *           literal 0xFF; 0xFF 0xFE feeds a packet body longer than the packet size; 0xFF E
 *           otherwise makes the running target stop: kind E & 7, thread (E >> 3) & 7 (may be
 *           invalid), a signal chosen by E >> 6.
 * After every piece the harness does what the server does: takes a pending stop, and when
 * the session ends by detach or a broken connection, starts a new one as the next debugger's.
 *
 * Besides the sanitizers, the output is checked: only acks and well-formed packets (correct
 * checksum, `$ # } *` escaped) may go to the debugger.
 */
#include "stub/packet.h"
#include "stub/session.h"
#include "tests/unit/fake_target.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MARKER           0xFF
#define MARKER_OVERSIZED 0xFE
#define MAX_SESSIONS     8       /* reconnects per input */
#define SERVER_CHUNK     0x10000 /* the server feeds at most this much at once */
#define HIGH_MEM_BASE    0x100000
#define FAIL_AFTER_BYTES 0x10000

enum write_failure { FAIL_NEVER, FAIL_FIRST, FAIL_THIRD, FAIL_AFTER_64K };

/* ---- the output checker ---- */

enum out_state { OUT_IDLE, OUT_DATA, OUT_ESCAPE, OUT_CSUM1, OUT_CSUM2 };

struct out_check {
    enum out_state state;
    uint8_t sum;
    int csum_hi;
};

static void out_fail(const char *why, uint8_t c)
{
    fprintf(stderr, "fuzz_session: bad output from the stub: %s (byte 0x%02x)\n", why, c);
    abort();
}

/* The checker is the harness, not code under test: no coverage feedback from it. */
#define HARNESS_ONLY __attribute__((no_sanitize("coverage"), noinline))

HARNESS_ONLY static int hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

HARNESS_ONLY static void out_check_bytes(struct out_check *o, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t c = p[i];
        switch (o->state) {
        case OUT_IDLE:
            if (c == PACKET_START) {
                o->state = OUT_DATA;
                o->sum = 0;
            } else if (c != PACKET_ACK && c != PACKET_NAK) {
                out_fail("noise between packets", c);
            }
            break;
        case OUT_DATA:
            if (c == PACKET_END) {
                o->state = OUT_CSUM1;
                break;
            }
            if (c == PACKET_START || c == PACKET_RLE)
                out_fail("unescaped special byte in a packet", c);
            o->sum += c;
            if (c == PACKET_ESCAPE)
                o->state = OUT_ESCAPE;
            break;
        case OUT_ESCAPE: {
            uint8_t orig = c ^ PACKET_ESCAPE_XOR;
            if (orig != PACKET_START && orig != PACKET_END && orig != PACKET_ESCAPE &&
                orig != PACKET_RLE)
                out_fail("escape of a byte that needs none", c);
            o->sum += c;
            o->state = OUT_DATA;
            break;
        }
        case OUT_CSUM1:
            o->csum_hi = hex_value(c);
            if (o->csum_hi < 0)
                out_fail("checksum digit", c);
            o->state = OUT_CSUM2;
            break;
        case OUT_CSUM2:
            if (hex_value(c) < 0 || (uint8_t)(o->csum_hi << 4 | hex_value(c)) != o->sum)
                out_fail("wrong checksum", c);
            o->state = OUT_IDLE;
            break;
        }
    }
}

/* ---- one input ---- */

struct fuzz_run {
    struct fake_target ft;
    struct session *s;
    struct out_check out;
    enum write_failure failure;
    int writes;
    size_t written;
    int sessions;
};

static struct fake_target pristine;
static uint8_t oversized[SESSION_PACKET_SIZE + 16];

HARNESS_ONLY static int fuzz_write(void *ctx, const void *data, size_t len)
{
    struct fuzz_run *r = ctx;
    r->writes++;
    if ((r->failure == FAIL_FIRST && r->writes == 1) ||
        (r->failure == FAIL_THIRD && r->writes == 3) ||
        (r->failure == FAIL_AFTER_64K && r->written + len > FAIL_AFTER_BYTES))
        return -1;
    r->written += len;
    out_check_bytes(&r->out, data, len);
    return 0;
}

static void fuzz_configure(struct fuzz_run *r, uint8_t c0, uint8_t c1)
{
    static const enum target_arch archs[] = {TARGET_ARCH_I8086, TARGET_ARCH_I386,
                                             TARGET_ARCH_X86_64, TARGET_ARCH_X86_64};
    static const struct stop_event stops[] = {
        {.kind = STOP_SIGNAL, .thread = 1, .signal = GDB_SIGNAL_TRAP},
        {.kind = STOP_SWBREAK, .thread = 1, .signal = GDB_SIGNAL_TRAP},
        {.kind = STOP_WATCH, .thread = 2, .signal = GDB_SIGNAL_TRAP, .addr = 0x1010},
        {.kind = STOP_EXITED, .exit_status = 3},
    };
    struct fake_target *f = &r->ft;
    int efd = pristine.efd;
    uint64_t drain;

    memcpy(f, &pristine, sizeof(*f));
    f->target.ops = &f->ops;
    f->target.ctx = f;
    /* A stop left pending by the previous input must not leak into this one. */
    while (read(efd, &drain, sizeof(drain)) == sizeof(drain))
        ;
    f->arch = archs[c0 & 3];
    f->nthreads = 1 + ((c0 >> 2) & 7);
    f->stop_on_resume = c0 & 0x20;
    f->next_stop = stops[c0 >> 6];
    if (c1 & 0x01)
        f->regs_error = -EIO;
    if (c1 & 0x02)
        f->mem_error = -EFAULT;
    if (c1 & 0x04)
        f->bp_error = -ENOSPC;
    if (c1 & 0x08) {
        f->ops.monitor = NULL;
        f->ops.insert_bp = NULL;
        f->ops.remove_bp = NULL;
        f->ops.thread_info = NULL;
        f->ops.memory_region = NULL;
        f->ops.exec_file = NULL;
    }
    f->exit_on_detach = c1 & 0x10;
    r->failure = (enum write_failure)((c1 >> 5) & 3);
    if (c1 & 0x80)
        f->mem_base = HIGH_MEM_BASE;
}

static bool fuzz_connect(struct fuzz_run *r)
{
    if (r->sessions++ == MAX_SESSIONS)
        return false;
    r->s = session_new(&r->ft.target, fuzz_write, r);
    if (!r->s) {
        fprintf(stderr, "fuzz_session: session_new failed for a valid target\n");
        abort();
    }
    r->out = (struct out_check){0};
    r->writes = 0;
    r->written = 0;
    return true;
}

/* The debugger is gone (detach or broken connection): as the server does, stop a running
 * target for the next debugger (which asks the target why it is stopped). False when the run
 * is over. */
static bool fuzz_reconnect(struct fuzz_run *r)
{
    struct fake_target *f = &r->ft;
    struct stop_event last;
    session_free(r->s);
    r->s = NULL;
    if (f->running) {
        f->ops.interrupt(f);
        if (!f->ops.get_stop(f, &last) || last.kind == STOP_EXITED || last.kind == STOP_TERMINATED)
            return false;
    }
    return fuzz_connect(r);
}

/* After input: take a pending stop; replace a finished session. False when the run is over. */
static bool fuzz_service(struct fuzz_run *r)
{
    if (session_target_running(r->s) && r->ft.stop_pending)
        session_target_stopped(r->s);
    switch (session_state(r->s)) {
    case SESSION_ACTIVE:
    case SESSION_KILLED: return true;
    case SESSION_EXITED: return false;
    case SESSION_DETACHED:
    case SESSION_BROKEN: return fuzz_reconnect(r);
    }
    return false;
}

static bool fuzz_feed(struct fuzz_run *r, const uint8_t *p, size_t len)
{
    while (len) {
        size_t n = len < SERVER_CHUNK ? len : SERVER_CHUNK;
        session_feed(r->s, p, n);
        if (!fuzz_service(r))
            return false;
        p += n;
        len -= n;
    }
    return true;
}

static bool fuzz_event(struct fuzz_run *r, uint8_t e)
{
    static const int signals[] = {GDB_SIGNAL_TRAP, GDB_SIGNAL_INT, GDB_SIGNAL_BUS, 0x7f};
    if (e == MARKER_OVERSIZED)
        return fuzz_feed(r, oversized, sizeof(oversized));
    if (r->ft.running && !r->ft.stop_pending) {
        struct stop_event ev = {
            .kind = (enum stop_kind)(e & 7),
            .thread = (e >> 3) & 7,
            .signal = signals[e >> 6],
            .addr = 0x1008,
            .exit_status = e >> 3,
        };
        fake_target_post_stop(&r->ft, &ev);
    }
    session_target_stopped(r->s); /* also when nothing is pending: a spurious wakeup */
    return fuzz_service(r);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fake_target_init(&pristine, TARGET_ARCH_X86_64, 1);
    memset(oversized, 'a', sizeof(oversized));
    /* Targets the engine must refuse, not crash on. */
    struct fake_target bad;
    fake_target_init(&bad, (enum target_arch)7, 1);
    if (session_new(&bad.target, fuzz_write, NULL))
        abort();
    bad.arch = TARGET_ARCH_X86_64;
    bad.nthreads = 0;
    if (session_new(&bad.target, fuzz_write, NULL))
        abort();
    fake_target_destroy(&bad);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_run r;
    if (size < 2)
        return 0;
    fuzz_configure(&r, data[0], data[1]);
    r.sessions = 0;
    if (!fuzz_connect(&r))
        return 0;
    data += 2;
    size -= 2;

    size_t start = 0, i = 0;
    bool going = true;
    while (going && i < size) {
        if (data[i] != MARKER) {
            i++;
            continue;
        }
        going = fuzz_feed(&r, data + start, i - start);
        if (going && i + 1 < size && data[i + 1] == MARKER) {
            start = i + 1; /* the second 0xFF is a literal byte of the next piece */
        } else {
            if (going && i + 1 < size)
                going = fuzz_event(&r, data[i + 1]);
            start = i + 2;
        }
        i += 2;
    }
    if (going && start < size)
        fuzz_feed(&r, data + start, size - start);
    session_free(r.s);
    r.s = NULL;
    return 0;
}
