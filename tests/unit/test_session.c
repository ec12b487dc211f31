/* tests/unit/test_session.c — every packet family against the fake target. */
#include "stub/hex.h"
#include "stub/regs.h"
#include "stub/session.h"
#include "tests/unit/check.h"
#include "tests/unit/harness.h"

#include <errno.h>

static struct harness *new_session(int nthreads)
{
    struct harness *h = harness_new(TARGET_ARCH_X86_64, nthreads);
    harness_no_ack(h);
    return h;
}

static void test_qsupported_contents(void)
{
    struct harness *h = new_session(1);
    const char *r = harness_cmd(h, "qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386");
    static const char *const features[] = {
        "PacketSize=20000", "qXfer:features:read+", "swbreak+",      "hwbreak+",
        "QStartNoAckMode+", "vContSupported+",      "binary-upload+"};
    for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
        CHECK(r && strstr(r, features[i]) != NULL);
    harness_free(h);
}

/* qSupported says what the target can do: a target without breakpoints or monitor commands
 * is not advertised as having them, and their packets get the empty reply. */
static void test_qsupported_follows_the_targets_operations(void)
{
    struct harness *h = new_session(1);
    h->ft.ops.insert_bp = NULL;
    h->ft.ops.remove_bp = NULL;
    h->ft.ops.monitor = NULL;
    harness_reattach(h);
    const char *r = harness_cmd(h, "qSupported:swbreak+;hwbreak+");
    CHECK(r && strstr(r, "PacketSize=20000") != NULL);
    CHECK(r && strstr(r, "swbreak+") == NULL);
    CHECK(r && strstr(r, "hwbreak+") == NULL);
    CHECK(r && strstr(r, "qXfer:features:read+") != NULL);
    CHECK_STR(harness_cmd(h, "Z0,1000,1"), "");
    CHECK_STR(harness_cmd(h, "z1,1000,1"), "");
    CHECK_STR(harness_cmd(h, "qRcmd,68656c70"), "");
    harness_free(h);
}

/* qOffsets: empty until the target knows an offset (gef relies on QEMU's empty reply), then
 * the same offset for every section; empty too for a target without the operation. */
static void test_qoffsets_follows_the_targets_offset(void)
{
    struct harness *h = new_session(1);
    CHECK_STR(harness_cmd(h, "qOffsets"), "");
    h->ft.offset_known = true;
    h->ft.text_offset = 0x1e000000;
    CHECK_STR(harness_cmd(h, "qOffsets"), "Text=1e000000;Data=1e000000;Bss=1e000000");
    h->ft.ops.text_offset = NULL;
    harness_reattach(h);
    CHECK_STR(harness_cmd(h, "qOffsets"), "");
    harness_free(h);
}

/* Names are whole: a packet that only starts like a known one is unknown, not malformed. */
static void test_general_packet_names_are_whole(void)
{
    struct harness *h = new_session(1);
    CHECK_STR(harness_cmd(h, "qCRC:1000,10"), "");
    CHECK_STR(harness_cmd(h, "qSupportedX"), "");
    CHECK_STR(harness_cmd(h, "vContX"), "");
    CHECK(strncmp(harness_cmd(h, "qC"), "QC", 2) == 0);
    harness_free(h);
}

static void test_unknown_packets_get_empty_reply(void)
{
    struct harness *h = new_session(1);
    CHECK_STR(harness_cmd(h, "vMustReplyEmpty"), "");
    CHECK_STR(harness_cmd(h, "qTStatus"), "");
    CHECK_STR(harness_cmd(h, "vFile:unlink:2f"), "");
    CHECK_STR(harness_cmd(h, "!"), "");
    CHECK_STR(harness_cmd(h, "qCRC:0,4"), ""); /* not "qC" */
    CHECK_STR(harness_cmd(h, "qAttached"), "1");
    CHECK_STR(harness_cmd(h, "qSymbol::"), "OK");
    CHECK_EQ(h->replies, 1);
    harness_free(h);
}

static void test_m_reads_memory(void)
{
    struct harness *h = new_session(1);
    CHECK_STR(harness_cmd(h, "m1000,4"), "00010203");
    CHECK_STR(harness_cmd(h, "m10fe,3"), "feff00");
    /* runs into the unmapped end of RAM: what could be read */
    CHECK_STR(harness_cmd(h, "m4ffe,10"), "feff");
    CHECK_STR(harness_cmd(h, "m5000,4"), "E0e");
    CHECK_STR(harness_cmd(h, "m0,4"), "E0e");
    h->ft.mem_error = -EIO;
    CHECK_STR(harness_cmd(h, "m1000,4"), "E05");
    harness_free(h);
}

static void test_x_reads_binary_with_escapes(void)
{
    struct harness *h = new_session(1);
    /* 0x1023..0x1026 hold '#', '$', '%', '&'; 0x102a is '*', 0x107d is '}' */
    const char *r = harness_cmd(h, "x1023,2");
    CHECK(r && h->reply_len == 3 && memcmp(r, "b#$", 3) == 0);
    CHECK(memchr(h->out, '$', h->out_len) == h->out); /* escaped on the wire */
    r = harness_cmd(h, "x107c,3");
    CHECK(r && h->reply_len == 4 && memcmp(r, "b|}~", 4) == 0);
    r = harness_cmd(h, "x4ffe,8");
    CHECK(r && h->reply_len == 3 && (uint8_t)r[1] == 0xfe && (uint8_t)r[2] == 0xff);
    CHECK_STR(harness_cmd(h, "x1000,0"), "b");
    CHECK_STR(harness_cmd(h, "x6000,1"), "E0e");
    harness_free(h);
}

static void test_M_and_X_write_memory(void)
{
    struct harness *h = new_session(1);
    CHECK_STR(harness_cmd(h, "M1000,3:aabbcc"), "OK");
    CHECK_EQ(h->ft.mem[0], 0xaa);
    CHECK_EQ(h->ft.mem[2], 0xcc);
    CHECK_STR(harness_cmd(h, "M1000,3:aabb"), "E16");
    CHECK_STR(harness_cmd(h, "M1000,1:zz"), "E16");
    CHECK_STR(harness_cmd(h, "M6000,1:00"), "E0e");
    CHECK_STR(harness_cmd(h, "M4fff,2:0102"), "E0e"); /* only partly written: an error */
    const char x[] = "X1010,4:#$}\x03";               /* binary payload, escaped by the framing */
    char esc[32];
    size_t n = 0;
    for (size_t i = 0; i < sizeof(x) - 1; i++) {
        char c = x[i];
        if (i >= 8 && (c == '#' || c == '$' || c == '}')) {
            esc[n++] = '}';
            c ^= 0x20;
        }
        esc[n++] = c;
    }
    CHECK_STR(harness_cmd_bin(h, esc, n), "OK");
    CHECK(memcmp(h->ft.mem + 0x10, "#$}\x03", 4) == 0);
    CHECK_STR(harness_cmd(h, "X1000,0:"), "OK");
    CHECK_STR(harness_cmd(h, "X1000,2:a"), "E16");
    harness_free(h);
}

static void test_g_G_p_P(void)
{
    struct harness *h = new_session(2);
    const struct regs_layout *l = regs_layout_get(TARGET_ARCH_X86_64);
    char hex[2048];
    regs_encode_g(l, &h->ft.regs[0], hex);
    hex[2 * regs_g_size(l)] = '\0';
    CHECK_STR(harness_cmd(h, "g"), hex);
    CHECK_STR(harness_cmd(h, "p10"), "0010000000000000"); /* rip */
    CHECK_STR(harness_cmd(h, "P10=3412000000000000"), "OK");
    CHECK_EQ(h->ft.regs[0].rip, 0x1234);
    CHECK_EQ(h->ft.regs[0].gpr[X86_RAX], 0x1111111111111111ull); /* the rest written back */
    /* G: all registers, read-modify-write */
    struct x86_regs r = h->ft.regs[0];
    r.gpr[X86_RDX] = 42;
    char G[2100] = "G";
    regs_encode_g(l, &r, G + 1);
    G[1 + 2 * regs_g_size(l)] = '\0';
    CHECK_STR(harness_cmd(h, G), "OK");
    CHECK_EQ(h->ft.regs[0].gpr[X86_RDX], 42);
    CHECK_STR(harness_cmd(h, "G00"), "E16");
    CHECK_STR(harness_cmd(h, "p999"), "E16");
    CHECK_STR(harness_cmd(h, "P10=12"), "E16");
    CHECK_STR(harness_cmd(h, "Pzz=12"), "E16");
    harness_free(h);
    h = new_session(1);
    h->ft.regs_error = -EIO;
    CHECK_STR(harness_cmd(h, "p0"), "E05");
    CHECK_STR(harness_cmd(h, "g"), "E05");
    CHECK_STR(harness_cmd(h, "P0=0000000000000000"), "E05");
    harness_free(h);
}

/* The target owns the register cache: the engine keeps no copy that could go stale when the
 * target's registers change without a resume (a monitor command, a restored snapshot). */
static void test_registers_always_come_from_the_target(void)
{
    struct harness *h = new_session(1);
    harness_cmd(h, "g");
    h->ft.regs[0].gpr[X86_RAX] = 0x1122334455667788ull;
    CHECK(strncmp(harness_cmd(h, "g"), "8877665544332211", 16) == 0);
    CHECK_STR(harness_cmd(h, "p0"), "8877665544332211");
    CHECK_EQ(h->ft.read_regs_calls, 3);
    harness_free(h);
}

/* A debugger that attaches hears the stop the target is in, not a made-up one. */
static void test_a_new_session_reports_the_targets_stop(void)
{
    struct harness *h = new_session(2);
    h->ft.last_stop =
        (struct stop_event){.kind = STOP_SIGNAL, .thread = 2, .signal = GDB_SIGNAL_INT};
    harness_reattach(h);
    CHECK(strncmp(harness_cmd(h, "?"), "T02thread:02;", 13) == 0);
    harness_free(h);
}

static void test_Z_z_reach_the_target(void)
{
    struct harness *h = new_session(1);
    CHECK_STR(harness_cmd(h, "Z0,1005,1"), "OK");
    CHECK_STR(harness_cmd(h, "Z1,1006,1"), "OK");
    CHECK_STR(harness_cmd(h, "Z2,2000,4;X2,0a27"), "OK"); /* a condition list reaches it */
    CHECK_EQ(h->ft.last_agent_nconds, 1);
    CHECK_STR(harness_cmd(h, "Z3,2008,8"), "OK");
    CHECK_STR(harness_cmd(h, "Z4,2010,2"), "OK");
    CHECK_EQ(h->ft.nbps, 5);
    CHECK_EQ(h->ft.bps[0].type, BP_SOFTWARE);
    CHECK_EQ(h->ft.bps[0].addr, 0x1005);
    CHECK_EQ(h->ft.bps[1].type, BP_HARDWARE);
    CHECK_EQ(h->ft.bps[2].type, WP_WRITE);
    CHECK_EQ(h->ft.bps[2].len, 4);
    CHECK_EQ(h->ft.bps[3].type, WP_READ);
    CHECK_EQ(h->ft.bps[4].type, WP_ACCESS);
    CHECK_STR(harness_cmd(h, "z0,1005,1"), "OK");
    CHECK_EQ(h->ft.nbps, 4);
    CHECK_STR(harness_cmd(h, "Z5,1000,1"), "");
    CHECK_STR(harness_cmd(h, "Z0,1005"), "E16");
    CHECK_STR(harness_cmd(h, "Z0,1005,1junk"), "E16");
    h->ft.bp_error = -ENOSPC;
    CHECK_STR(harness_cmd(h, "Z1,1000,1"), "E1c");
    h->ft.bp_error = -ENOTSUP;
    CHECK_STR(harness_cmd(h, "Z3,1000,1"), "");
    h->ft.bp_error = -EFAULT;
    CHECK_STR(harness_cmd(h, "Z0,1000,1"), "E0e");
    harness_free(h);
}

/* Agent expressions: conditions (X LEN,HEX, one after another) and commands (;cmds:P,...) are
 * decoded and handed to the target; malformed ones are refused, never half-applied. */
static void test_breakpoint_conditions_and_commands(void)
{
    struct harness *h = new_session(1);
    CHECK_STR(harness_cmd(h, "Z0,1005,1;X3,260002X2,2227"), "OK");
    CHECK_EQ(h->ft.last_agent_nconds, 2);
    CHECK_EQ(h->ft.last_cond_len, 3);
    CHECK(memcmp(h->ft.last_cond, "\x26\x00\x02", 3) == 0);
    CHECK_STR(harness_cmd(h, "Z0,1005,1;X2,2227;cmds:0,X2,2227X1,27"), "OK");
    CHECK_EQ(h->ft.last_agent_nconds, 1);
    CHECK_EQ(h->ft.last_agent_ncmds, 2);
    CHECK_EQ(h->ft.nbps, 1); /* the same breakpoint again: updated, not added */
    CHECK_STR(harness_cmd(h, "Z0,1006,1;cmds:1,X1,27"), "OK");
    CHECK_EQ(h->ft.last_agent_nconds, 0);
    CHECK_EQ(h->ft.last_agent_ncmds, 1);
    int before = h->ft.nbps;
    CHECK_STR(harness_cmd(h, "Z0,1007,1;X3,2600"), "E16"); /* shorter than said */
    CHECK_STR(harness_cmd(h, "Z0,1007,1;X0,"), "E16");     /* empty */
    CHECK_STR(harness_cmd(h, "Z0,1007,1;Xzz,00"), "E16");  /* not a length */
    CHECK_STR(harness_cmd(h, "Z0,1007,1;X1,27;cmd:0,X1,27"), "E16");
    CHECK_STR(harness_cmd(h, "Z0,1007,1;X1,27X1,27X1,27X1,27X1,27X1,27X1,27X1,27X1,27"), "E16");
    CHECK_EQ(h->ft.nbps, before);
    const char *r = harness_cmd(h, "qSupported:swbreak+");
    CHECK(r && strstr(r, "ConditionalBreakpoints+") && strstr(r, "BreakpointCommands+"));
    harness_free(h);
}

static void test_range_step_reaches_the_target(void)
{
    struct harness *h = new_session(2);
    CHECK(harness_cmd(h, "vCont;r1000,1040:2") == NULL);
    CHECK_EQ(h->ft.last_actions[1].kind, RESUME_RANGE);
    CHECK_EQ(h->ft.last_actions[1].start, 0x1000);
    CHECK_EQ(h->ft.last_actions[1].end, 0x1040);
    CHECK_EQ(h->ft.last_actions[0].kind, RESUME_NONE);
    fake_target_post_stop(
        &h->ft, &(struct stop_event){.kind = STOP_SIGNAL, .thread = 2, .signal = GDB_SIGNAL_TRAP});
    harness_stop(h);
    CHECK_STR(harness_cmd(h, "vCont;r1000"), "E16");
    CHECK_STR(harness_cmd(h, "vCont;r1000,"), "E16");
    h->ft.ops.features = 0;
    harness_reattach(h);
    CHECK_STR(harness_cmd(h, "vCont?"), "vCont;c;C;s;S");
    CHECK_STR(harness_cmd(h, "vCont;r1000,1040"), "E16");
    harness_free(h);
}

/* qSearch:memory (gdb's find): hits, misses, a pattern that straddles nothing readable, and
 * unreadable pages before the memory skipped rather than ending the search. */
static void test_search_memory(void)
{
    struct harness *h = new_session(1);
    /* the fake's memory is [0x1000, 0x5000) holding (addr - 0x1000) & 0xff */
    CHECK_STR(harness_cmd(h, "qSearch:memory:0;10000;\x10\x11\x12"), "1,1010");
    CHECK_STR(harness_cmd(h, "qSearch:memory:1011;101;\x10\x11\x12"), "0");
    CHECK_STR(harness_cmd(h, "qSearch:memory:1011;102;\x10\x11\x12"), "1,1110");
    CHECK_STR(harness_cmd(h, "qSearch:memory:1000;4000;\x01\x03"), "0");
    CHECK_STR(harness_cmd(h, "qSearch:memory:1000;12;\x10\x11\x12"), "0"); /* too short */
    CHECK_STR(harness_cmd(h, "qSearch:memory:1000;13;\x10\x11\x12"), "1,1010");
    CHECK_STR(harness_cmd(h, "qSearch:memory:4ffe;10;\xfe\xff\x01"), "0"); /* at the end */
    CHECK_STR(harness_cmd(h, "qSearch:memory:1000;100;"), "E16");
    CHECK_STR(harness_cmd(h, "qSearch:memory:1000;100"), "E16");
    CHECK_STR(harness_cmd(h, "qSearch:memory:10000;ffffffffffffffff;\x01"), "E07");
    harness_free(h);
}

static void check_actions(struct harness *h, const char *expect)
{
    /* expect: one letter per thread: n(one) c(ontinue) s(tep) */
    for (int i = 0; expect[i]; i++) {
        char got = "ncs"[h->ft.last_actions[i].kind];
        if (got != expect[i])
            printf("  thread %d: %c, expected %c\n", i + 1, got, expect[i]);
        CHECK(got == expect[i]);
    }
}

static void test_vcont_actions(void)
{
    struct harness *h = new_session(4);
    CHECK_STR(harness_cmd(h, "vCont?"), "vCont;c;C;s;S;r");
    CHECK(harness_cmd(h, "vCont;s:2;c") == NULL); /* no reply until the stop */
    CHECK(session_target_running(h->s));
    check_actions(h, "cscc");
    fake_target_post_stop(
        &h->ft, &(struct stop_event){.kind = STOP_SIGNAL, .thread = 2, .signal = GDB_SIGNAL_TRAP});
    harness_stop(h);
    CHECK(!session_target_running(h->s));

    harness_cmd(h, "vCont;c:1;s:1;s:3"); /* leftmost match wins; the rest stay stopped */
    check_actions(h, "cnsn");
    harness_stop(h); /* nothing pending: no reply, still running */
    CHECK_EQ(h->replies, 0);
    fake_target_post_stop(&h->ft, &(struct stop_event){.kind = STOP_SIGNAL, .thread = 1});
    harness_stop(h);

    harness_cmd(h, "vCont;C0b:4;s:-1");
    check_actions(h, "sssc");
    CHECK_EQ(h->ft.last_actions[3].signal, 11);
    fake_target_post_stop(&h->ft, &(struct stop_event){.kind = STOP_SIGNAL, .thread = 4});
    harness_stop(h);

    int resumes = h->ft.resumes;
    CHECK_STR(harness_cmd(h, "vCont;x"), "E16");
    CHECK_STR(harness_cmd(h, "vCont;s:9"), "E16");
    CHECK_STR(harness_cmd(h, "vCont;c:"), "E16");
    CHECK_STR(harness_cmd(h, "vCont;c;"), "E16");
    CHECK_STR(harness_cmd(h, "vCont;"), "E16");
    CHECK_STR(harness_cmd(h, "vCont;C:1"), "E16");
    CHECK_EQ(h->ft.resumes, resumes);
    harness_free(h);
}

static void test_c_s_C_S(void)
{
    struct harness *h = new_session(3);
    harness_cmd(h, "Hc2");
    harness_cmd(h, "s");
    check_actions(h, "nsn");
    fake_target_post_stop(&h->ft, &(struct stop_event){.kind = STOP_SIGNAL, .thread = 2});
    CHECK(strncmp(harness_stop(h), "T00thread:02;", 13) == 0);
    harness_cmd(h, "c2000");
    check_actions(h, "ccc");
    CHECK_EQ(h->ft.regs[1].rip, 0x2000);
    fake_target_post_stop(&h->ft, &(struct stop_event){.kind = STOP_SIGNAL, .thread = 1});
    harness_stop(h);
    harness_cmd(h, "C05;3000"); /* the signal and the address go to the Hc thread */
    check_actions(h, "ccc");
    CHECK_EQ(h->ft.last_actions[1].signal, 5);
    CHECK_EQ(h->ft.last_actions[0].signal, 0);
    CHECK_EQ(h->ft.regs[1].rip, 0x3000);
    harness_free(h);
}

static void test_stop_replies_for_every_kind(void)
{
    static const struct {
        struct stop_event ev;
        const char *prefix;
    } cases[] = {
        {{.kind = STOP_SIGNAL, .thread = 1, .signal = GDB_SIGNAL_INT}, "T02thread:01;6:"},
        {{.kind = STOP_SIGNAL, .thread = 2, .signal = GDB_SIGNAL_SEGV}, "T0bthread:02;6:"},
        {{.kind = STOP_SWBREAK, .thread = 2, .signal = GDB_SIGNAL_TRAP},
         "T05thread:02;swbreak:;6:"},
        {{.kind = STOP_HWBREAK, .thread = 1, .signal = GDB_SIGNAL_TRAP}, "T05thread:01;hwbreak:;"},
        {{.kind = STOP_WATCH, .thread = 1, .signal = GDB_SIGNAL_TRAP, .addr = 0x2000},
         "T05thread:01;watch:2000;"},
        {{.kind = STOP_RWATCH, .thread = 1, .signal = GDB_SIGNAL_TRAP, .addr = 0xffff8000},
         "T05thread:01;rwatch:ffff8000;"},
        {{.kind = STOP_AWATCH, .thread = 2, .signal = 0, .addr = 0x10}, "T05thread:02;awatch:10;"},
        {{.kind = STOP_HISTORY_BEGIN, .thread = 1, .signal = GDB_SIGNAL_TRAP},
         "T05thread:01;replaylog:begin;"},
        {{.kind = STOP_HISTORY_END, .thread = 2, .signal = GDB_SIGNAL_TRAP},
         "T05thread:02;replaylog:end;"},
        {{.kind = STOP_EXITED, .exit_status = 3}, "W03"},
        {{.kind = STOP_TERMINATED, .signal = GDB_SIGNAL_KILL}, "X09"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct harness *h = new_session(2);
        h->ft.stop_on_resume = true;
        h->ft.next_stop = cases[i].ev;
        harness_cmd(h, "vCont;c");
        const char *r = harness_stop(h);
        CHECK(r != NULL);
        if (r && strncmp(r, cases[i].prefix, strlen(cases[i].prefix)) != 0)
            printf("  got %s, expected %s...\n", r, cases[i].prefix);
        CHECK(r && strncmp(r, cases[i].prefix, strlen(cases[i].prefix)) == 0);
        if (cases[i].ev.kind < STOP_EXITED) {
            /* expedited fp (6), sp (7) and pc (10) of the stopped thread */
            char pc[64];
            int t = cases[i].ev.thread - 1;
            uint64_t rip = h->ft.regs[t].rip;
            char le[17];
            hex_encode(le, &rip, 8);
            le[16] = '\0';
            snprintf(pc, sizeof(pc), ";10:%s;", le);
            CHECK(r && strstr(r, pc) != NULL && strstr(r, ";7:") != NULL);
            CHECK_EQ(session_state(h->s), SESSION_ACTIVE);
        } else {
            CHECK_EQ(session_state(h->s), SESSION_EXITED);
        }
        harness_free(h);
    }
    struct harness *h = new_session(1);
    h->ft.stop_on_resume = true;
    h->ft.next_stop = (struct stop_event){.kind = STOP_TERMINATED, .signal = GDB_SIGNAL_KILL};
    harness_cmd(h, "c");
    harness_stop(h);
    CHECK_EQ(session_exit_status(h->s), 128 + 9);
    harness_free(h);
}

static void test_stop_makes_stopped_thread_current(void)
{
    struct harness *h = new_session(3);
    CHECK_STR(harness_cmd(h, "qC"), "QC01");
    h->ft.stop_on_resume = true;
    h->ft.next_stop = (struct stop_event){.kind = STOP_SWBREAK, .thread = 3, .signal = 5};
    harness_cmd(h, "vCont;c");
    harness_stop(h);
    CHECK_STR(harness_cmd(h, "qC"), "QC03");
    CHECK_STR(harness_cmd(h, "p10"), "2010000000000000"); /* thread 3's rip */
    CHECK(strncmp(harness_cmd(h, "?"), "T05thread:03;swbreak:;", 22) == 0);
    harness_free(h);
}

static void test_ctrl_c_interrupts_only_a_running_target(void)
{
    struct harness *h = new_session(1);
    harness_feed_str(h, "\x03");
    CHECK_EQ(h->ft.interrupts, 0);
    harness_cmd(h, "vCont;c");
    harness_feed_str(h, "\x03");
    CHECK_EQ(h->ft.interrupts, 1);
    CHECK(strncmp(harness_stop(h), "T02thread:01;", 13) == 0);
    harness_free(h);
}

static void test_packets_while_running_get_errors(void)
{
    struct harness *h = new_session(1);
    harness_cmd(h, "vCont;c");
    CHECK_STR(harness_cmd(h, "g"), "E16");
    CHECK_EQ(h->ft.read_regs_calls, 0);
    harness_free(h);
}

static void test_qxfer_target_xml_in_chunks(void)
{
    struct harness *h = new_session(1);
    size_t len;
    char *xml = regs_target_xml(regs_layout_get(TARGET_ARCH_X86_64), &len);
    char *got = calloc(1, len + 1);
    size_t off = 0;
    for (;;) {
        char cmd[64];
        snprintf(cmd, sizeof(cmd), "qXfer:features:read:target.xml:%zx,%x", off, 100);
        const char *r = harness_cmd(h, cmd);
        CHECK(r && (r[0] == 'm' || r[0] == 'l'));
        if (!r || (r[0] != 'm' && r[0] != 'l'))
            break;
        memcpy(got + off, r + 1, h->reply_len - 1);
        off += h->reply_len - 1;
        if (r[0] == 'l')
            break;
        CHECK_EQ(h->reply_len - 1, 100);
    }
    CHECK_EQ(off, len);
    CHECK(memcmp(got, xml, len) == 0);
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "qXfer:features:read:target.xml:%zx,10", len + 5);
    CHECK_STR(harness_cmd(h, cmd), "l");
    CHECK_STR(harness_cmd(h, "qXfer:features:read:other.xml:0,10"), "E00");
    CHECK_STR(harness_cmd(h, "qXfer:features:read:target.xml:zz"), "E16");
    CHECK_STR(harness_cmd(h, "qXfer:memory-map:read::0,10"), "");
    free(got);
    free(xml);
    harness_free(h);
}

/* "qRcmd," + hex of cmd */
static const char *monitor(struct harness *h, const char *cmd)
{
    char pkt[256] = "qRcmd,";
    hex_encode(pkt + 6, cmd, strlen(cmd));
    pkt[6 + 2 * strlen(cmd)] = '\0';
    return harness_cmd(h, pkt);
}

static void test_qrcmd_output_as_O_packets(void)
{
    struct harness *h = new_session(1);
    char hex[128];
    monitor(h, "help");
    CHECK_EQ(h->replies, 3);
    hex_encode(hex, "help: this text\n", 16);
    hex[32] = '\0';
    CHECK(harness_packet(h, 0) && harness_packet(h, 0)[0] == 'O');
    CHECK_STR(harness_packet(h, 0) + 1, hex);
    CHECK_STR(harness_packet(h, 2), "OK");
    CHECK_STR(h->ft.last_monitor, "help");
    /* unknown: a hint, then OK */
    monitor(h, "frobnicate");
    CHECK_EQ(h->replies, 2);
    CHECK_STR(harness_packet(h, 1), "OK");
    CHECK_STR(monitor(h, "fail"), "E05");
    CHECK_STR(harness_cmd(h, "qRcmd,6"), "E16");
    CHECK_STR(harness_cmd(h, "qRcmd,zz"), "E16");
    h->ft.ops.monitor = NULL;
    CHECK_STR(monitor(h, "help"), "");
    harness_free(h);
}

/* QEMU's physical-memory mode (pwndbg, gef): the target's phys setting, read and set. */
static void test_qemu_phy_mem_mode(void)
{
    struct harness *h = new_session(1);
    CHECK_STR(harness_cmd(h, "qqemu.PhyMemMode"), "0");
    CHECK_STR(harness_cmd(h, "m1000,4"), "00010203"); /* linear: RAM at 0x1000 */
    CHECK_STR(harness_cmd(h, "Qqemu.PhyMemMode:1"), "OK");
    CHECK(h->ft.phys);
    CHECK_STR(harness_cmd(h, "qqemu.PhyMemMode"), "1");
    CHECK_STR(harness_cmd(h, "m0,4"), "00010203"); /* physical: the same RAM at 0 */
    CHECK_STR(harness_cmd(h, "m10,2"), "1011");
    CHECK_STR(harness_cmd(h, "Qqemu.PhyMemMode:0"), "OK");
    CHECK(!h->ft.phys);
    CHECK_STR(harness_cmd(h, "qqemu.PhyMemMode"), "0");
    CHECK_STR(harness_cmd(h, "m0,4"), "E0e");
    harness_free(h);
}

/* A bad argument is refused and changes nothing; the packets are not in qSupported. */
static void test_qemu_phy_mem_mode_bad_arguments(void)
{
    struct harness *h = new_session(1);
    static const char *const bad[] = {"Qqemu.PhyMemMode:2",
                                      "Qqemu.PhyMemMode:", "Qqemu.PhyMemMode:10",
                                      "Qqemu.PhyMemMode:x", "qqemu.PhyMemMode:1"};
    for (int phys = 0; phys <= 1; phys++) {
        h->ft.phys = phys;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            CHECK_STR(harness_cmd(h, bad[i]), "E16");
            CHECK_EQ(h->ft.phys, phys);
        }
    }
    CHECK_STR(harness_cmd(h, "Qqemu.PhyMemMode"), "");
    CHECK_STR(harness_cmd(h, "qqemu.PhyMemModeX"), "");
    const char *r = harness_cmd(h, "qSupported:swbreak+");
    CHECK(r && strstr(r, "qemu") == NULL && strstr(r, "PhyMemMode") == NULL);
    /* a target without the setting: the empty reply */
    h->ft.ops.phys_mode = NULL;
    h->ft.ops.set_phys_mode = NULL;
    harness_reattach(h);
    CHECK_STR(harness_cmd(h, "qqemu.PhyMemMode"), "");
    CHECK_STR(harness_cmd(h, "Qqemu.PhyMemMode:1"), "");
    harness_free(h);
}

static void test_threads(void)
{
    struct harness *h = new_session(3);
    CHECK_STR(harness_cmd(h, "qfThreadInfo"), "m01,02,03");
    CHECK_STR(harness_cmd(h, "qsThreadInfo"), "l");
    char hex[128];
    const char *text = "CPU 1, fake mode, stopped"; /* the target's name and state */
    hex_encode(hex, text, strlen(text));
    hex[2 * strlen(text)] = '\0';
    CHECK_STR(harness_cmd(h, "qThreadExtraInfo,2"), hex);
    CHECK_STR(harness_cmd(h, "qThreadExtraInfo,9"), "E16");
    CHECK_STR(harness_cmd(h, "T3"), "OK");
    CHECK_STR(harness_cmd(h, "T4"), "E16");
    CHECK_STR(harness_cmd(h, "T0"), "E16");
    CHECK_STR(harness_cmd(h, "Hg2"), "OK");
    CHECK_STR(harness_cmd(h, "p10"), "1010000000000000");
    CHECK_STR(harness_cmd(h, "Hg0"), "OK");
    CHECK_STR(harness_cmd(h, "p10"), "0010000000000000");
    CHECK_STR(harness_cmd(h, "Hg9"), "E16");
    CHECK_STR(harness_cmd(h, "Hc-1"), "OK");
    CHECK_STR(harness_cmd(h, "Hc0"), "OK");
    CHECK_STR(harness_cmd(h, "Hx1"), "E16");
    CHECK_STR(harness_cmd(h, "H"), "E16");
    harness_free(h);
}

static void test_detach_and_kill(void)
{
    struct harness *h = new_session(1);
    CHECK_STR(harness_cmd(h, "D"), "OK");
    CHECK_EQ(h->ft.detaches, 1);
    CHECK_EQ(session_state(h->s), SESSION_DETACHED);
    harness_cmd(h, "g"); /* ignored after detach */
    CHECK_EQ(h->replies, 0);
    harness_free(h);

    h = new_session(1);
    h->ft.kill_status = 7;
    CHECK(harness_cmd(h, "k") == NULL);
    CHECK_EQ(h->ft.kills, 1);
    CHECK_EQ(session_state(h->s), SESSION_KILLED);
    CHECK(session_target_running(h->s));
    harness_stop(h);
    CHECK_EQ(h->replies, 0);
    CHECK_EQ(session_state(h->s), SESSION_EXITED);
    CHECK_EQ(session_exit_status(h->s), 7);
    harness_free(h);
}

static void test_malformed_packets_never_crash(void)
{
    static const char *const bad[] = {
        "m",
        "m,",
        "m1000",
        "m1000,",
        "m1000,4,",
        "mffffffffffffffffff,1",
        "x",
        "x1000",
        "M",
        "M1000,1",
        "M1000,1:",
        "M1000,2:0",
        "X",
        "X1000",
        "X1000,1",
        "G",
        "G0",
        "P",
        "P1",
        "P1=",
        "p",
        "pzz",
        "H",
        "Hg",
        "Hg-",
        "Hgz",
        "T",
        "Tz",
        "Z",
        "Z0",
        "Z0,",
        "Z0,1",
        "z9,1,1",
        "vCont",
        "vCont;",
        "vCont;c:zz",
        "c1000zz",
        "Czz",
        "C05;",
        "S",
        "s1;2",
        "qRcmd,",
        "qXfer:features:read:",
        "qXfer:features:read:target.xml:",
        "qThreadExtraInfo,",
        "qSupported:"
        "\xff\xfe",
        "",
        "?junk",
        "D;1",
        "g1",
    };
    struct harness *h = new_session(2);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *r = harness_cmd(h, bad[i]);
        if (session_target_running(h->s)) {
            /* a few of these are valid resumes: take the stop */
            fake_target_post_stop(&h->ft, &(struct stop_event){.kind = STOP_SIGNAL, .thread = 1});
            harness_stop(h);
            continue;
        }
        if (session_state(h->s) != SESSION_ACTIVE) {
            harness_free(h);
            h = new_session(2);
            continue;
        }
        CHECK(r != NULL);
        if (!r)
            printf("  no reply to \"%s\"\n", bad[i]);
    }
    CHECK_STR(harness_cmd(h, "qAttached"), "1"); /* still serving */
    harness_free(h);
}

static void test_write_failure_breaks_the_session(void)
{
    struct harness *h = new_session(1);
    h->fail_writes = true;
    harness_cmd(h, "g");
    CHECK_EQ(session_state(h->s), SESSION_BROKEN);
    harness_free(h);
}

static void test_large_memory_transfer_in_one_write(void)
{
    struct harness *h = new_session(1);
    harness_cmd(h, "m1000,4000");
    CHECK_EQ(h->writes, 1);
    CHECK_EQ(h->reply_len, 2 * 0x4000);
    harness_cmd(h, "x1000,4000");
    CHECK_EQ(h->reply_len, 1 + 0x4000);
    harness_free(h);
}

/* A small deterministic PRNG (xorshift64), so a failure reproduces. */
static uint64_t rng_next(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

/* Packets made of real names and random arguments, and raw garbage between them: whatever
 * arrives, the session answers or NAKs and keeps serving. */
static void test_random_input_never_breaks_the_session(void)
{
    static const char *const names[] = {
        "m",
        "x",
        "M",
        "X",
        "g",
        "G",
        "p",
        "P",
        "Z",
        "z",
        "c",
        "s",
        "C",
        "S",
        "vCont;",
        "vCont?",
        "?",
        "H",
        "T",
        "qC",
        "qfThreadInfo",
        "qsThreadInfo",
        "qThreadExtraInfo,",
        "qXfer:features:read:target.xml:",
        "qSupported:",
        "qRcmd,",
        "qAttached",
        "D",
        "k",
        "qXfer:threads:read::",
        "qXfer:exec-file:read::",
        "vFile:open:",
        "vFile:pread:0,",
        "vFile:close:",
        "vFile:fstat:",
        "qMemoryRegionInfo:",
        "qThreadStopInfo",
        "g;thread:",
        "p10;thread:",
        "QListThreadsInStopReply",
    };
    static const char alphabet[] = "0123456789abcdefABCDEF,:;=-#$}*p.\x03lmnzZ";
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    struct harness *h = new_session(3);
    h->ft.stop_on_resume = true;
    strcpy(h->ft.exec_file, "/etc/hostname"); /* vFile and qXfer:exec-file are served */
    for (int iter = 0; iter < 20000; iter++) {
        char payload[96], framed[128];
        size_t n = (size_t)snprintf(payload, sizeof(payload), "%s",
                                    names[rng_next(&rng) % (sizeof(names) / sizeof(names[0]))]);
        size_t extra = rng_next(&rng) % 24;
        for (size_t i = 0; i < extra; i++)
            payload[n++] = alphabet[rng_next(&rng) % (sizeof(alphabet) - 1)];
        size_t len = harness_frame(framed, payload, n);
        if (rng_next(&rng) % 8 == 0)
            framed[rng_next(&rng) % len] = (char)rng_next(&rng); /* corrupt a byte */
        harness_clear(h);
        harness_feed(h, framed, len);
        if (session_target_running(h->s))
            harness_stop(h);
        if (session_target_running(h->s)) {
            /* an 'x' in the input may have been taken as data; stop it explicitly */
            fake_target_post_stop(&h->ft, &(struct stop_event){.kind = STOP_SIGNAL, .thread = 1});
            harness_stop(h);
        }
        if (session_state(h->s) != SESSION_ACTIVE) {
            harness_free(h);
            h = new_session(3);
            h->ft.stop_on_resume = true;
            strcpy(h->ft.exec_file, "/etc/hostname");
        }
        CHECK(!session_target_running(h->s));
    }
    CHECK_STR(harness_cmd(h, "qAttached"), "1");
    harness_free(h);
}

/* bs and bc: advertised where the target can go backwards, run the Hc thread, and a refusal's
 * reason reaches gdb as E.TEXT (with nothing in it that would need escaping). */
static void test_reverse_step_and_continue(void)
{
    struct harness *h = new_session(2);
    const char *r = harness_cmd(h, "qSupported:swbreak+");
    CHECK(r && strstr(r, "ReverseStep+") && strstr(r, "ReverseContinue+"));
    h->ft.stop_on_resume = true;
    h->ft.next_stop = (struct stop_event){.kind = STOP_HISTORY_BEGIN, .thread = 2};
    CHECK_STR(harness_cmd(h, "Hc2"), "OK");
    harness_cmd(h, "bs");
    r = harness_stop(h);
    CHECK(r && strncmp(r, "T05thread:02;replaylog:begin;", 29) == 0);
    CHECK(h->ft.last_reverse_thread == 2 && h->ft.last_reverse_kind == RESUME_STEP);
    h->ft.next_stop = (struct stop_event){.kind = STOP_SWBREAK, .thread = 2};
    harness_cmd(h, "bc");
    r = harness_stop(h);
    CHECK(r && strncmp(r, "T05thread:02;swbreak:;", 22) == 0);
    CHECK(h->ft.last_reverse_kind == RESUME_CONTINUE && h->ft.reverses == 2);
    snprintf(h->ft.reverse_refusal, sizeof(h->ft.reverse_refusal), "no history: monitor $record#");
    CHECK_STR(harness_cmd(h, "bs"), "E.no history: monitor  record ");
    CHECK(!session_target_running(h->s));
    CHECK_STR(harness_cmd(h, "bsX"), "E16");
    harness_free(h);

    h = new_session(1);
    h->ft.ops.reverse = NULL;
    harness_reattach(h);
    r = harness_cmd(h, "qSupported:swbreak+");
    CHECK(r && !strstr(r, "Reverse"));
    CHECK_STR(harness_cmd(h, "bc"), "");
    harness_free(h);
}

int main(void)
{
    RUN(test_qsupported_contents);
    RUN(test_qsupported_follows_the_targets_operations);
    RUN(test_general_packet_names_are_whole);
    RUN(test_unknown_packets_get_empty_reply);
    RUN(test_qoffsets_follows_the_targets_offset);
    RUN(test_m_reads_memory);
    RUN(test_x_reads_binary_with_escapes);
    RUN(test_M_and_X_write_memory);
    RUN(test_g_G_p_P);
    RUN(test_registers_always_come_from_the_target);
    RUN(test_breakpoint_conditions_and_commands);
    RUN(test_range_step_reaches_the_target);
    RUN(test_search_memory);
    RUN(test_a_new_session_reports_the_targets_stop);
    RUN(test_Z_z_reach_the_target);
    RUN(test_vcont_actions);
    RUN(test_c_s_C_S);
    RUN(test_reverse_step_and_continue);
    RUN(test_stop_replies_for_every_kind);
    RUN(test_stop_makes_stopped_thread_current);
    RUN(test_ctrl_c_interrupts_only_a_running_target);
    RUN(test_packets_while_running_get_errors);
    RUN(test_qxfer_target_xml_in_chunks);
    RUN(test_qrcmd_output_as_O_packets);
    RUN(test_qemu_phy_mem_mode);
    RUN(test_qemu_phy_mem_mode_bad_arguments);
    RUN(test_threads);
    RUN(test_detach_and_kill);
    RUN(test_malformed_packets_never_crash);
    RUN(test_write_failure_breaks_the_session);
    RUN(test_large_memory_transfer_in_one_write);
    RUN(test_random_input_never_breaks_the_session);
    return CHECK_DONE();
}
