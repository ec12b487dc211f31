/* tests/unit/test_lldb.c — the packets LLDB's gdb-remote adds, against the fake target:
 * qHostInfo and qProcessInfo by register layout, the thread suffix on g/G/p/P,
 * QListThreadsInStopReply, qMemoryRegionInfo and qThreadStopInfo.
 */
#include "stub/hex.h"
#include "stub/session.h"
#include "tests/unit/check.h"
#include "tests/unit/harness.h"

#include <errno.h>
#include <stdlib.h>

static struct harness *new_session(enum target_arch arch, int nthreads)
{
    struct harness *h = harness_new(arch, nthreads);
    harness_no_ack(h);
    return h;
}

/* The value of KEY in a "key:value;..." reply, hex-decoded when hex is set. */
static const char *reply_value(const char *reply, const char *key, bool hex)
{
    static char value[256];
    char k[64];
    snprintf(k, sizeof(k), "%s:", key);
    const char *p = reply ? strstr(reply, k) : NULL;
    if (!p || (p != reply && p[-1] != ';'))
        return NULL;
    p += strlen(k);
    size_t n = strcspn(p, ";");
    if (n >= sizeof(value) || (hex && n % 2))
        return NULL;
    if (hex) {
        if (!hex_decode(value, p, n))
            return NULL;
        value[n / 2] = '\0';
    } else {
        memcpy(value, p, n);
        value[n] = '\0';
    }
    return value;
}

static void test_host_and_process_info_follow_the_layout(void)
{
    struct harness *h = new_session(TARGET_ARCH_X86_64, 1);
    const char *r = harness_cmd(h, "qHostInfo");
    CHECK_STR(reply_value(r, "triple", true), "x86_64-unknown-unknown");
    CHECK_STR(reply_value(r, "ptrsize", false), "8");
    CHECK_STR(reply_value(r, "endian", false), "little");
    r = harness_cmd(h, "qProcessInfo");
    CHECK_STR(reply_value(r, "pid", false), "1");
    CHECK_STR(reply_value(r, "triple", true), "x86_64-unknown-unknown");
    CHECK_STR(reply_value(r, "ptrsize", false), "8");
    CHECK_STR(harness_cmd(h, "qHostInfo:x"), "E16");
    harness_free(h);
    for (enum target_arch a = TARGET_ARCH_I8086; a <= TARGET_ARCH_I386; a++) {
        h = new_session(a, 1);
        r = harness_cmd(h, "qHostInfo");
        CHECK_STR(reply_value(r, "triple", true), "i386-unknown-unknown");
        CHECK_STR(reply_value(r, "ptrsize", false), "4");
        CHECK_STR(reply_value(harness_cmd(h, "qProcessInfo"), "ptrsize", false), "4");
        harness_free(h);
    }
}

static void test_thread_suffix_on_register_packets(void)
{
    struct harness *h = new_session(TARGET_ARCH_X86_64, 3);
    CHECK_STR(harness_cmd(h, "QThreadSuffixSupported"), "OK");
    /* p: the suffix names the thread, whatever Hg says */
    CHECK_STR(harness_cmd(h, "p10;thread:0002;"), "1010000000000000");
    CHECK_STR(harness_cmd(h, "p10;thread:3"), "2010000000000000"); /* last ';' left out */
    CHECK_STR(harness_cmd(h, "p10"), "0010000000000000");
    /* P: the value ends where the suffix begins */
    CHECK_STR(harness_cmd(h, "P10=0020000000000000;thread:2;"), "OK");
    CHECK_EQ(h->ft.regs[1].rip, 0x2000);
    CHECK_EQ(h->ft.regs[0].rip, 0x1000);
    /* g and G */
    const char *r = harness_cmd(h, "g;thread:3;");
    CHECK(r && strncmp(r, "1311111111111111", 16) == 0); /* thread 3's rax */
    char g[4096];
    snprintf(g, sizeof(g), "G%s;thread:3;", r ? r : "");
    if (r) {
        memcpy(g + 1 + 16 * 16, "0030000000000000", 16); /* rip, the 17th register */
        CHECK_STR(harness_cmd(h, g), "OK");
        CHECK_EQ(h->ft.regs[2].rip, 0x3000);
    }
    /* a thread that does not exist, a malformed suffix */
    CHECK_STR(harness_cmd(h, "p10;thread:9;"), "E16");
    CHECK_STR(harness_cmd(h, "g;thread:0;"), "E16");
    CHECK_STR(harness_cmd(h, "P10=00;thread:9;"), "E16");
    CHECK_STR(harness_cmd(h, "g;thread:zz;"), "E16");
    CHECK_STR(harness_cmd(h, "g;thread:1;x"), "E16");
    CHECK_STR(harness_cmd(h, "p10;threadx"), "E16");
    harness_free(h);
}

static void test_threads_in_stop_replies(void)
{
    struct harness *h = new_session(TARGET_ARCH_X86_64, 3);
    h->ft.stop_on_resume = true;
    const char *r = harness_cmd(h, "?");
    CHECK(r && strstr(r, "threads:") == NULL);
    CHECK_STR(harness_cmd(h, "QListThreadsInStopReply"), "OK");
    r = harness_cmd(h, "?");
    CHECK(r && strncmp(r, "T05thread:01;threads:1,2,3;", 27) == 0);
    harness_cmd(h, "c");
    r = harness_stop(h);
    CHECK(r && strstr(r, ";threads:1,2,3;") != NULL);
    harness_free(h);
}

static void test_memory_region_info(void)
{
    struct harness *h = new_session(TARGET_ARCH_X86_64, 1);
    CHECK_STR(harness_cmd(h, "qMemoryRegionInfo:1000"), "start:1000;size:1000;permissions:rx;");
    CHECK_STR(harness_cmd(h, "qMemoryRegionInfo:2abc"), "start:2000;size:3000;permissions:rw;");
    CHECK_STR(harness_cmd(h, "qMemoryRegionInfo:0"), "start:0;size:1000;"); /* unmapped */
    CHECK_STR(harness_cmd(h, "qMemoryRegionInfo:ffffffffffffffff"),
              "start:5000;size:ffffffffffffb000;");
    CHECK_STR(harness_cmd(h, "qMemoryRegionInfo:"), "E16");
    CHECK_STR(harness_cmd(h, "qMemoryRegionInfo:12345678901234567"), "E16");
    h->ft.mem_error = -EIO;
    CHECK_STR(harness_cmd(h, "qMemoryRegionInfo:1000"), "E05");
    h->ft.ops.memory_region = NULL;
    CHECK_STR(harness_cmd(h, "qMemoryRegionInfo:1000"), "");
    harness_free(h);
}

static void test_thread_stop_info(void)
{
    struct harness *h = new_session(TARGET_ARCH_X86_64, 2);
    h->ft.stop_on_resume = true;
    h->ft.next_stop = (struct stop_event){.kind = STOP_SWBREAK, .thread = 2, .signal = 5};
    harness_cmd(h, "c");
    harness_stop(h);
    const char *r = harness_cmd(h, "qThreadStopInfo2");
    CHECK(r && strncmp(r, "T05thread:02;swbreak:;", 22) == 0);
    r = harness_cmd(h, "qThreadStopInfo1");
    CHECK(r && strncmp(r, "T00thread:01;", 13) == 0 && strstr(r, "swbreak") == NULL);
    CHECK_STR(harness_cmd(h, "qThreadStopInfo3"), "E16");
    CHECK_STR(harness_cmd(h, "qThreadStopInfo"), "E16");
    CHECK_STR(harness_cmd(h, "qThreadStopInfoz"), "E16");
    CHECK_STR(harness_cmd(h, "jThreadsInfo"), ""); /* LLDB falls back to qThreadStopInfo */
    harness_free(h);
}

int main(void)
{
    RUN(test_host_and_process_info_follow_the_layout);
    RUN(test_thread_suffix_on_register_packets);
    RUN(test_threads_in_stop_replies);
    RUN(test_memory_region_info);
    RUN(test_thread_stop_info);
    return CHECK_DONE();
}
