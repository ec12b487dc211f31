/* cli/qemu_args.h — QEMU's spellings of the options kvmstub has, rewritten into kvmstub's own
 * before getopt_long reads the command line, so a `qemu-system-x86_64 ...` line from a script or
 * a tutorial works with kvmstub in its place. QEMU's options kvmstub does not have are refused,
 * each by name.
 *
 *   -kernel FILE               the image
 *   -initrd FILE, -append STR  --initrd, --cmdline
 *   -m N|NM|NG|size=N          --memory (a plain number is MiB, as in QEMU)
 *   -smp N|cpus=N              --cpus
 *   -s, -gdb tcp::PORT|tcp:HOST:PORT|unix:PATH
 *                              --gdb (-s: 127.0.0.1:1234); without -S the guest starts at once,
 *                              as QEMU's does (--no-wait)
 *   -S                         wait for gdb's continue; alone (no -s, no -gdb), it also serves
 *                              gdb on 127.0.0.1:1234: kvmstub has no monitor to continue from
 *   -nographic, -serial stdio|mon:stdio, -display none, -debugcon stdio, -no-reboot,
 *   -enable-kvm, -accel kvm, -machine accel=kvm, -cpu host,
 *   -device isa-debug-exit,iobase=0xf4[,iosize=N]
 *                              what kvmstub does anyway: accepted, nothing to do
 *   -help, -version            --help, --version
 * The double-dash spellings QEMU also takes (--kernel) are accepted alike.
 */
#ifndef KVMSTUB_CLI_QEMU_ARGS_H
#define KVMSTUB_CLI_QEMU_ARGS_H

#include <getopt.h>

struct qemu_args {
    int argc;
    char **argv;        /* kvmstub's own options and arguments, argv[argc] == NULL */
    const char *kernel; /* -kernel FILE, or NULL */
    char *gdb;          /* the debugger's address from -gdb, when it had to be rewritten */
};

/* Rewrite argv (argc entries) into out. native: kvmstub's long options, to know which of them
 * take a value. Returns 0, or -1 after "kvmstub: OPTION: why" on stderr. */
int qemu_args_translate(int argc, char **argv, const struct option *native, struct qemu_args *out);
void qemu_args_free(struct qemu_args *q);

#endif
