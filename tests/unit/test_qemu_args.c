/* tests/unit/test_qemu_args.c — QEMU's spellings rewritten into kvmstub's options: each form the
 * translation takes, the -s/-S/-gdb rules, and the refusals that name the option. */
#include <stdbool.h>

#include "check.h"
#include "cli/qemu_args.h"

static const struct option native[] = {
    {"gdb", required_argument, NULL, 1},     {"no-wait", no_argument, NULL, 2},
    {"memory", required_argument, NULL, 3},  {"cmdline", required_argument, NULL, 4},
    {"console", required_argument, NULL, 5}, {NULL, 0, NULL, 0},
};

/* Translate the space-separated words of line; the result's words joined by spaces in out
 * (NULL argv: the translation failed). */
static int translate(const char *line, char *out, size_t size, struct qemu_args *q)
{
    static char buf[512];
    char *argv[64];
    int argc = 0;
    snprintf(buf, sizeof(buf), "kvmstub %s", line);
    for (char *w = strtok(buf, " "); w && argc < 63; w = strtok(NULL, " "))
        argv[argc++] = w;
    argv[argc] = NULL;
    out[0] = '\0';
    int rc = qemu_args_translate(argc, argv, native, q);
    for (int i = 1; rc == 0 && i < q->argc; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s%s", i > 1 ? " " : "", q->argv[i]);
    return rc;
}

/* line translates to want, with -kernel's image kernel (or NULL). */
static bool translates(const char *line, const char *want, const char *kernel)
{
    char got[512];
    struct qemu_args q;
    if (translate(line, got, sizeof(got), &q) < 0) {
        printf("  \"%s\" was refused\n", line);
        return false;
    }
    bool ok = strcmp(got, want) == 0 &&
              (kernel ? q.kernel && strcmp(q.kernel, kernel) == 0 : q.kernel == NULL);
    if (!ok)
        printf("  \"%s\" -> \"%s\" (kernel %s), wanted \"%s\"\n", line, got,
               q.kernel ? q.kernel : "none", want);
    qemu_args_free(&q);
    return ok;
}

static bool refused(const char *line)
{
    char got[512];
    struct qemu_args q;
    if (translate(line, got, sizeof(got), &q) == 0) {
        printf("  \"%s\" was accepted as \"%s\"\n", line, got);
        qemu_args_free(&q);
        return false;
    }
    return true;
}

static void tutorial_line_translates(void)
{
    CHECK(translates("-kernel k.elf -initrd i.img -append console=ttyS0 -m 1G -smp 2 -s -S "
                     "-nographic -serial stdio -no-reboot",
                     "--initrd i.img --cmdline console=ttyS0 --memory 1G --cpus 2 --gdb :1234",
                     "k.elf"));
    CHECK(translates("-m size=512M -smp cpus=4 img", "--memory 512M --cpus 4 img", NULL));
    CHECK(translates("-enable-kvm -accel kvm -machine accel=kvm -M accel=kvm -cpu host img", "img",
                     NULL));
    CHECK(translates("-serial mon:stdio -display none -debugcon stdio "
                     "-device isa-debug-exit,iobase=0xf4,iosize=0x04 img",
                     "img", NULL));
    CHECK(translates("--kernel k.elf --append x", "--cmdline x", "k.elf"));
    CHECK(translates("-append -v -kernel -k", "--cmdline -v", "-k")); /* values may start with - */
}

static void gdb_and_wait(void)
{
    /* QEMU starts the guest unless -S */
    CHECK(translates("-s img", "img --gdb :1234 --no-wait", NULL));
    CHECK(translates("-gdb tcp::4444 -S img", "img --gdb :4444", NULL));
    CHECK(translates("-gdb tcp:0.0.0.0:4444,server,nowait -S", "--gdb 0.0.0.0:4444", NULL));
    CHECK(
        translates("-gdb unix:/tmp/g.sock,server=on,wait=off -S", "--gdb unix:/tmp/g.sock", NULL));
    /* -S alone: only gdb can start the guest */
    CHECK(translates("-S img", "img --gdb :1234", NULL));
    /* -S with kvmstub's own --gdb: its default already waits */
    CHECK(translates("--gdb :5 -S img", "--gdb :5 img", NULL));
    CHECK(translates("--gdb=:5 -S img", "--gdb=:5 img", NULL));
    CHECK(refused("--gdb :5 -s img"));
    CHECK(refused("-s -gdb tcp::1"));
    CHECK(refused("-gdb tcp::1,ipv6"));
    CHECK(refused("-gdb stdio"));
}

static void native_options_pass_through(void)
{
    CHECK(translates("--console file:x --cmdline -S -m64M img",
                     "--console file:x --cmdline -S -m64M img", NULL));
    CHECK(translates("--cons stdio -h", "--cons stdio -h", NULL)); /* getopt_long's prefixes */
    CHECK(translates("-- -S", "-- -S", NULL));
    CHECK(translates("-help", "--help", NULL));
}

static void other_qemu_options_are_refused(void)
{
    CHECK(refused("-monitor stdio"));
    CHECK(refused("-hda disk.img"));
    CHECK(refused("-serial pty"));
    CHECK(refused("-serial file:out.txt"));
    CHECK(refused("-machine q35"));
    CHECK(refused("-machine q35,accel=kvm"));
    CHECK(refused("-accel tcg"));
    CHECK(refused("-cpu max"));
    CHECK(refused("-smp 2,sockets=2"));
    CHECK(refused("-smp cores=2"));
    CHECK(refused("-m 1G,maxmem=2G"));
    CHECK(refused("-device e1000"));
    CHECK(refused("-device isa-debug-exit"));              /* QEMU's default iobase: 0x501 */
    CHECK(refused("-device isa-debug-exit,iobase=0x501")); /* not kvmstub's exit port */
    CHECK(refused("-display gtk"));
    CHECK(refused("-kernel a -kernel b"));
    CHECK(refused("-kernel"));
}

int main(void)
{
    RUN(tutorial_line_translates);
    RUN(gdb_and_wait);
    RUN(native_options_pass_through);
    RUN(other_qemu_options_are_refused);
    return CHECK_DONE();
}
