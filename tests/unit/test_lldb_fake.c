/* tests/unit/test_lldb_fake.c — real LLDB (gdb-remote) against the stub serving the fake
 * target: it connects without a file, reads registers of each thread, memory and a memory
 * region, lists the threads and kills it (stepping needs a pc that moves, detaching a guest
 * that runs on: the kvmstub suite test does both). Fails when lldb is not installed (make test
 * installs it).
 */
#include "stub/stub.h"
#include "tests/unit/check.h"
#include "tests/unit/fake_target.h"
#include "tests/unit/server_thread.h"

#include <stdbool.h>
#include <stdlib.h>

#define LLDB_BASE "timeout 60 lldb --no-lldbinit --batch "

/* mov eax,1 ; nop ; nop ; hlt */
static const unsigned char fake_code[] = {0xb8, 1, 0, 0, 0, 0x90, 0x90, 0xf4};

static void run_lldb(const struct server_thread *st, const char *commands, char *out, size_t cap)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), LLDB_BASE "%s -o 'gdb-remote %s' %s 2>&1",
             getenv("LLDB_LOG") ? "-o 'log enable -f /tmp/lldb-packets.log gdb-remote packets'"
                                : "",
             st->address, commands);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(out, 1, cap - 1, p) : 0;
    out[n] = '\0';
    if (p)
        pclose(p);
}

static void check_session(enum target_arch arch, const char *pc_line)
{
    static char out[64 * 1024];
    struct server_thread *st = server_thread_new(arch, "127.0.0.1:0", false);
    CHECK(st != NULL);
    if (!st)
        return;
    memcpy(st->ft.mem, fake_code, sizeof(fake_code));
    st->ft.kill_status = 3;
    server_thread_go(st);
    run_lldb(st,
             "-o 'register read pc' -o 'thread list' -o 'thread select 2' "
             "-o 'register read pc' -o 'memory read -s1 -c4 -fx 0x1000' "
             "-o 'memory region 0x1000' -o 'memory region 0x2800' -o 'memory region 0x9000' "
             "-o 'process kill'",
             out, sizeof(out));
    CHECK(strstr(out, pc_line) != NULL);
    CHECK(strstr(out, "thread #2: tid = 0x0002, 0x") != NULL);
    CHECK(strstr(out, "0x00001000: 0xb8 0x01 0x00 0x00") != NULL);
    CHECK(strstr(out, "[0x0000000000001000-0x0000000000002000) r-x") != NULL);
    CHECK(strstr(out, "[0x0000000000002000-0x0000000000005000) rw-") != NULL);
    CHECK(strstr(out, "[0x0000000000005000-0x0000000000000000) ---") != NULL);
    CHECK(strstr(out, "error:") == NULL);
    CHECK_EQ(server_thread_join(st), 3); /* the kill ended the fake guest */
    if (check_case_failed || getenv("SHOW_LLDB"))
        printf("%s\n", out);
}

static void test_lldb_x86_64(void)
{
    check_session(TARGET_ARCH_X86_64, "rip = 0x0000000000001000");
}

static void test_lldb_i386(void)
{
    check_session(TARGET_ARCH_I386, "eip = 0x00001000");
}

int main(void)
{
    if (system("lldb --version >/dev/null 2>&1") != 0) {
        /* make test installs lldb (tests/install-deps.sh): without it these cases prove nothing */
        printf("FAIL lldb_installed: lldb is not installed (tests/install-deps.sh installs it)\n");
        return 1;
    }
    RUN(test_lldb_x86_64);
    RUN(test_lldb_i386);
    return CHECK_DONE();
}
