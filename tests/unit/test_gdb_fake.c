/* tests/unit/test_gdb_fake.c — real gdb against the stub serving the fake target: each
 * register layout loads without a warning, registers and disassembly look right, breakpoints
 * stop, detach and reattach work. Fails when gdb is not installed (make test installs it).
 */
#include "stub/stub.h"
#include "tests/unit/check.h"
#include "tests/unit/fake_target.h"
#include "tests/unit/server_thread.h"

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

/* gdb gets this long for one batch run. */
#define GDB_TIMEOUT "60"
#define GDB_BASE    "timeout " GDB_TIMEOUT " gdb -nx -batch -ex 'set confirm off' "

/* mov eax,1 ; nop ; nop ; hlt ; xor eax,eax ; inc eax ; ret */
static const unsigned char fake_code[] = {0xb8, 1,    0,    0,    0,    0x90,
                                          0x90, 0xf4, 0x31, 0xc0, 0x40, 0xc3};

/* The fake target as these cases want it, served on a loopback port. */
static struct server_thread *gdb_server_start(enum target_arch arch)
{
    struct server_thread *st = server_thread_new(arch, "127.0.0.1:0", false);
    CHECK(st != NULL);
    if (!st)
        return NULL;
    memcpy(st->ft.mem, fake_code, sizeof(fake_code));
    st->ft.stop_on_resume = true;
    st->ft.regs[1].rip = 0x1005; /* thread 2 stops on the breakpoint the test sets */
    st->ft.next_stop = (struct stop_event){.kind = STOP_SWBREAK, .thread = 2, .signal = 5};
    st->ft.kill_status = 3;
    server_thread_go(st);
    return st;
}

/* Run gdb with the given -ex commands after connecting; its output in out. */
static void run_gdb(const struct server_thread *g, const char *commands, char *out, size_t cap)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), GDB_BASE "-ex 'target remote %s' %s 2>&1", g->address, commands);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(out, 1, cap - 1, p) : 0;
    out[n] = '\0';
    if (p)
        pclose(p);
}

/* Any warning other than the usual one about no executable file. */
static bool has_unexpected_warning(const char *out)
{
    for (const char *p = out; (p = strstr(p, "warning:")) != NULL; p++)
        if (strncmp(p, "warning: No executable has been specified", 41) != 0)
            return true;
    return false;
}

static bool gdb_available(void)
{
    return system("gdb --version >/dev/null 2>&1") == 0;
}

static void check_layout(enum target_arch arch, const char *arch_name, const char *pc_name,
                         const char *insn)
{
    static char out[64 * 1024];
    struct server_thread *g = gdb_server_start(arch);
    run_gdb(g,
            "-ex 'show architecture' -ex 'info registers' -ex 'x/2i $pc' -ex 'p/x $cr0' "
            "-ex 'p $fs_base' -ex 'info threads' -ex 'kill'",
            out, sizeof(out));
    CHECK(!has_unexpected_warning(out));
    CHECK(strstr(out, arch_name) != NULL);
    CHECK(strstr(out, pc_name) != NULL);
    CHECK(strstr(out, insn) != NULL);
    CHECK(strstr(out, "$1 = 0x80000011") != NULL);
    /* qXfer:threads: the name in quotes, the state in parentheses */
    CHECK(strstr(out, "Thread 2 \"CPU 1\" (fake mode, stopped)") != NULL);
    CHECK(strstr(out, "internal-error") == NULL);
    CHECK_EQ(server_thread_join(g), 3);
    if (check_case_failed)
        printf("%s\n", out);
}

static void test_layout_x86_64(void)
{
    check_layout(TARGET_ARCH_X86_64, "(currently \"i386:x86-64\")", "rip ", "mov    $0x1,%eax");
}

static void test_layout_i386(void)
{
    check_layout(TARGET_ARCH_I386, "(currently \"i386\")", "eip ", "mov    $0x1,%eax");
}

static void test_layout_i8086(void)
{
    check_layout(TARGET_ARCH_I8086, "(currently \"i8086\")", "eip ", "mov    $0x1,%ax");
}

static void test_breakpoint_step_detach_reattach(void)
{
    static char out[64 * 1024];
    struct server_thread *g = gdb_server_start(TARGET_ARCH_X86_64);
    run_gdb(g,
            "-ex 'break *0x1005' -ex 'continue' -ex 'stepi' -ex 'set $rax = 0x1234' "
            "-ex 'p/x $rax' -ex 'x/4xb 0x1000' -ex 'monitor help' -ex 'detach'",
            out, sizeof(out));
    CHECK(strstr(out, "Thread 2 \"CPU 1\" hit Breakpoint 1, 0x0000000000001005") != NULL);
    CHECK(strstr(out, "$1 = 0x1234") != NULL);
    CHECK(strstr(out, "0x1000:\t0xb8\t0x01\t0x00\t0x00") != NULL);
    CHECK(strstr(out, "echo TEXT: print TEXT") != NULL);
    CHECK(strstr(out, "detached") != NULL);
    CHECK(!has_unexpected_warning(out));
    if (check_case_failed)
        printf("%s\n", out);
    /* the detached guest runs; a new gdb stops it (SIGINT) and sees it */
    run_gdb(g, "-ex 'info threads' -ex 'kill'", out, sizeof(out));
    CHECK(strstr(out, "Thread 1 \"CPU 0\" (fake mode, stopped)") != NULL);
    CHECK(!has_unexpected_warning(out));
    CHECK_EQ(server_thread_join(g), 3);
    if (check_case_failed)
        printf("%s\n", out);
}

/* gdb with no file finds the image by itself: qXfer:exec-file names it, vFile reads it (the
 * test binary stands in for the guest's ELF). Any other file is refused. */
static void test_symbols_without_a_file_argument(void)
{
    static char out[64 * 1024];
    struct server_thread *st = server_thread_new(TARGET_ARCH_X86_64, "127.0.0.1:0", false);
    CHECK(st != NULL);
    if (!st)
        return;
    CHECK(realpath("/proc/self/exe", st->ft.exec_file) != NULL);
    st->ft.kill_status = 3;
    server_thread_go(st);
    run_gdb(st, "-ex 'info symbol main' -ex 'remote get /etc/passwd /dev/null' -ex 'kill'", out,
            sizeof(out));
    CHECK(strstr(out, "Reading symbols from target:") != NULL);
    CHECK(strstr(out, "main in section .text") != NULL);
    CHECK(strstr(out, "Permission denied") != NULL);
    CHECK(strstr(out, "No executable has been specified") == NULL);
    CHECK_EQ(server_thread_join(st), 3);
    if (check_case_failed || getenv("SHOW_GDB"))
        printf("%s\n", out);
}

int main(void)
{
    if (!gdb_available()) {
        /* make test installs gdb (tests/install-deps.sh): without it these cases prove nothing */
        printf("FAIL gdb_installed: gdb is not installed (tests/install-deps.sh installs it)\n");
        return 1;
    }
    RUN(test_layout_x86_64);
    RUN(test_layout_i386);
    RUN(test_layout_i8086);
    RUN(test_breakpoint_step_detach_reattach);
    RUN(test_symbols_without_a_file_argument);
    return CHECK_DONE();
}
