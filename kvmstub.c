/* kvmstub.c — the command line: parse options, build the VM, load the image, run or debug it. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/exit_status.h"
#include "base/x86.h"
#include "cli/qemu_args.h"
#include "cli/version.h"
#include "debug/cpu_view.h"
#include "debug/debug_target.h"
#include "debug/guest_debug.h"
#include "debug/kaslr.h"
#include "guest/demo_image.h"
#include "loader/linux_cmdline.h"
#include "loader/loader.h"
#include "stub/stub.h"
#include "vm/dev/devices.h"
#include "vm/host.h"
#include "vm/snapshot_file.h"
#include "vm/vm.h"

#define MIB               (1ULL << 20)
#define DEFAULT_RAM_BARE  (16 * MIB)
#define DEFAULT_RAM_LINUX (256 * MIB)
#define DEFAULT_RAM_CAP   (1024 * MIB)
#define MIN_RAM           (1 * MIB)
#define MAX_RAM           (1ULL << 40)
#define DEMO_PATH         "(built-in demo guest)"

struct options {
    const char *image;
    const char *gdb;
    bool no_wait;
    bool ram_given;
    uint64_t ram_size;
    int cpus;
    const char *cmdline;
    const char *initrd;
    const char *restore; /* --restore FILE: the machine comes from a snapshot file */
    bool cpus_given;
    const char *console;
    uint64_t load_addr;
    bool irqchip;
    bool trace_io;
    bool trace_exits;
    bool view_given;              /* --gdb-arch or --gdb-realmode-linear */
    struct cpu_view_options view; /* how gdb is shown the vCPUs */
    struct qemu_args args;        /* the command line in kvmstub's own spellings */
};

static const char usage_text[] =
    "usage: kvmstub [options] [IMAGE]\n"
    "       kvmstub [options] --restore FILE\n"
    "\n"
    "Boot IMAGE on KVM and, with --gdb, debug it from gdb over the GDB remote protocol.\n"
    "IMAGE is detected: a Linux bzImage, an ELF vmlinux with a PVH note, a multiboot or\n"
    "multiboot2 kernel (entered in 32-bit protected mode, as GRUB does, also when it is an\n"
    "ELF64), an ELF32 (32-bit protected mode) or ELF64 (long mode, identity-mapped)\n"
    "executable, or a raw binary (real mode at --load-addr). Without IMAGE, a built-in demo\n"
    "guest runs.\n"
    "\n"
    "options:\n"
    "  --gdb [HOST:]PORT | unix:PATH  serve gdb there; HOST defaults to 127.0.0.1. The guest\n"
    "                                waits for gdb's first continue.\n"
    "  --no-wait                     with --gdb: start the guest at once\n"
    "  --gdb-arch auto|i8086|i386|x86-64\n"
    "                                the register layout gdb gets (it keeps it for the whole\n"
    "                                session). auto: x86-64 for an image that holds 64-bit\n"
    "                                code (ELF64, also multiboot in ELF64; Linux), otherwise\n"
    "                                by the mode at connect. A layout narrower than the mode\n"
    "                                the image starts in is refused\n"
    "  --gdb-realmode-linear         in real mode, gdb's pc is the linear CS.base + IP (so\n"
    "                                breakpoints and x/i $pc work with a non-zero CS); a pc\n"
    "                                written becomes IP, and CS when it must\n"
    "  -m, --memory SIZE             guest RAM, e.g. 64M, 2G, or 128 (MiB, as in QEMU)\n"
    "                                (default: 16M, or 256M for Linux, or what the image needs)\n"
    "  --cpus N                      vCPUs (default 1; bare-metal guests start every vCPU at\n"
    "                                the entry point, Linux brings them up itself)\n"
    "  --cmdline STR                 kernel command line (Linux, multiboot, multiboot2)\n"
    "  --initrd FILE                 initial ramdisk (Linux)\n"
    "  --restore FILE                start the machine a snapshot file holds (monitor snapshot\n"
    "                                write), stopped where it was saved with --gdb, running\n"
    "                                otherwise; the machine's shape comes from the file\n"
    "  --console stdio|none|file:PATH|tcp:[HOST:]PORT\n"
    "                                where guest output goes and input comes from (stdio)\n"
    "  --load-addr ADDR              raw images: load and start address (default 0)\n"
    "  --irqchip                     give a bare-metal guest the in-kernel APIC, IOAPIC, PIC\n"
    "                                and PIT (Linux always has them); HLT then waits for an\n"
    "                                interrupt instead of ending the guest\n"
    "  --trace-io                    log every port access on stderr\n"
    "  --trace-exits                 log every KVM exit (with its rip) and every guest-debug\n"
    "                                change on stderr (to debug kvmstub itself)\n"
    "  -h, --help                    this help;   --version   the version and git commit\n"
    "\n"
    "From QEMU: a qemu-system-x86_64 command line works with kvmstub in its place for what\n"
    "kvmstub has; any other QEMU option is refused by name.\n"
    "  -kernel FILE                  IMAGE\n"
    "  -initrd FILE, -append STR     --initrd, --cmdline\n"
    "  -m N|NM|NG|size=N             --memory (a plain number is MiB, in both spellings)\n"
    "  -smp N|cpus=N                 --cpus N\n"
    "  -s                            --gdb :1234 (127.0.0.1); without -S the guest starts at\n"
    "                                once, as QEMU's does (--no-wait)\n"
    "  -gdb tcp::PORT|tcp:HOST:PORT|unix:PATH\n"
    "                                --gdb :PORT, HOST:PORT, unix:PATH; likewise without -S\n"
    "  -S                            wait for gdb; alone (no -s, -gdb or --gdb) it also\n"
    "                                serves gdb on 127.0.0.1:1234\n"
    "  -nographic, -serial stdio|mon:stdio, -display none, -debugcon stdio, -no-reboot,\n"
    "  -enable-kvm, -accel kvm, -machine accel=kvm, -cpu host,\n"
    "  -device isa-debug-exit,iobase=0xf4[,iosize=N]\n"
    "                                what kvmstub does anyway: accepted, no effect\n"
    "  -help, -version               --help, --version\n"
    "\n"
    "Guest output goes to the console only; kvmstub's own messages go to stderr.\n"
    "Ports: 0xE9 debug console, 0xF4 exit (write v: status (v<<1)|1), 0x10 prints\n"
    "\"IO port: 10, data: N\" on the console, 0x3F8 8250 UART (COM1), 0x60/0x64 i8042,\n"
    "0x70/0x71 CMOS clock, 0xCF8/0xCFC PCI (no devices), 0x604 ACPI PM1a control (power-off\n"
    "as on QEMU's PC machines); other ports read all ones.\n"
    "On a raw terminal (Linux guests on stdio), Ctrl-A x quits.\n"
    "\n"
    "exit status:\n"
    "  0    the guest ended normally: HLT with interrupts off (no --irqchip), i8042 reset,\n"
    "       ACPI power-off, Linux reboot\n"
    "  odd  the guest wrote v to port 0xF4: (v << 1) | 1\n"
    "  2    bad command line\n"
    "  4    could not start (KVM, memory, image, debugger socket)\n"
    "  6    the guest crashed: triple fault or an exit kvmstub cannot handle (registers are\n"
    "       dumped on stderr)\n"
    "  8    the host's KVM could not emulate a guest instruction (details on stderr)\n"
    "  10   a Linux guest panicked\n"
    "  12   ended on request (gdb kill, Ctrl-A x)\n"
    "  128+N  kvmstub was killed by signal N\n";

static void usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "kvmstub: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nkvmstub: try 'kvmstub --help'\n");
    exit(EXIT_USAGE);
}

enum long_only_option {
    OPT_GDB = 256,
    OPT_NO_WAIT,
    OPT_GDB_ARCH,
    OPT_GDB_REALMODE_LINEAR,
    OPT_CPUS,
    OPT_CMDLINE,
    OPT_INITRD,
    OPT_RESTORE,
    OPT_CONSOLE,
    OPT_LOAD_ADDR,
    OPT_IRQCHIP,
    OPT_TRACE_IO,
    OPT_TRACE_EXITS,
    OPT_VERSION,
};

static const struct option long_options[] = {
    {"gdb", required_argument, NULL, OPT_GDB},
    {"no-wait", no_argument, NULL, OPT_NO_WAIT},
    {"gdb-arch", required_argument, NULL, OPT_GDB_ARCH},
    {"gdb-realmode-linear", no_argument, NULL, OPT_GDB_REALMODE_LINEAR},
    {"memory", required_argument, NULL, 'm'},
    {"cpus", required_argument, NULL, OPT_CPUS},
    {"cmdline", required_argument, NULL, OPT_CMDLINE},
    {"initrd", required_argument, NULL, OPT_INITRD},
    {"restore", required_argument, NULL, OPT_RESTORE},
    {"console", required_argument, NULL, OPT_CONSOLE},
    {"load-addr", required_argument, NULL, OPT_LOAD_ADDR},
    {"irqchip", no_argument, NULL, OPT_IRQCHIP},
    {"trace-io", no_argument, NULL, OPT_TRACE_IO},
    {"trace-exits", no_argument, NULL, OPT_TRACE_EXITS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static uint64_t host_ram(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : MAX_RAM;
}

static void parse_ram(struct options *o, const char *arg)
{
    if (!ram_parse_size(arg, &o->ram_size))
        usage_error("-m %s: expected a size such as 64M or 2G", arg);
    /* A plain number is MiB, as in QEMU (a size in bytes would be too small anyway). */
    if (strspn(arg, "0123456789") == strlen(arg))
        o->ram_size = o->ram_size > (MAX_RAM >> 20) ? UINT64_MAX : o->ram_size << 20;
    if (o->ram_size < MIN_RAM)
        usage_error("-m %s: too small (at least 1M)", arg);
    uint64_t limit = host_ram() < MAX_RAM ? host_ram() : MAX_RAM;
    if (o->ram_size > limit) {
        fprintf(stderr, "kvmstub: -m %s: more than this host's %llu MiB of RAM\n", arg,
                (unsigned long long)(limit >> 20));
        exit(EXIT_USAGE);
    }
    if (o->ram_size % X86_PAGE_SIZE)
        usage_error("-m %s: must be a multiple of 4 KiB", arg);
    o->ram_given = true;
}

static void parse_options(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof(*o));
    o->cpus = 1;
    o->view.arch_auto = true;
    if (qemu_args_translate(argc, argv, long_options, &o->args) < 0) {
        fprintf(stderr, "kvmstub: try 'kvmstub --help'\n");
        exit(EXIT_USAGE);
    }
    argc = o->args.argc;
    argv = o->args.argv;
    int c;
    while ((c = getopt_long(argc, argv, "m:h", long_options, NULL)) != -1) {
        char *end;
        switch (c) {
        case OPT_GDB: o->gdb = optarg; break;
        case OPT_NO_WAIT: o->no_wait = true; break;
        case OPT_GDB_ARCH:
            if (!cpu_view_parse_arch(optarg, &o->view))
                usage_error("--gdb-arch %s: expected auto, i8086, i386 or x86-64", optarg);
            o->view_given = true;
            break;
        case OPT_GDB_REALMODE_LINEAR:
            o->view.realmode_linear = true;
            o->view_given = true;
            break;
        case 'm': parse_ram(o, optarg); break;
        case OPT_CPUS:
            o->cpus = (int)strtol(optarg, &end, 10);
            if (*end || end == optarg || o->cpus < 1 || o->cpus > VM_MAX_CPUS)
                usage_error("--cpus %s: expected a number from 1 to 64", optarg);
            o->cpus_given = true;
            break;
        case OPT_CMDLINE: o->cmdline = optarg; break;
        case OPT_INITRD: o->initrd = optarg; break;
        case OPT_RESTORE: o->restore = optarg; break;
        case OPT_CONSOLE: o->console = optarg; break;
        case OPT_LOAD_ADDR:
            o->load_addr = strtoull(optarg, &end, 0);
            if (*end || end == optarg)
                usage_error("--load-addr %s: expected an address such as 0x7c00", optarg);
            break;
        case OPT_IRQCHIP: o->irqchip = true; break;
        case OPT_TRACE_IO: o->trace_io = true; break;
        case OPT_TRACE_EXITS: o->trace_exits = true; break;
        case 'h': fputs(usage_text, stdout); exit(0);
        case OPT_VERSION: printf("kvmstub %s (git %s)\n", kvmstub_version, kvmstub_commit); exit(0);
        default: usage_error("%s", "unknown option");
        }
    }
    o->image = o->args.kernel;
    if (optind < argc && o->image)
        usage_error("unexpected argument '%s' (-kernel names the image)", argv[optind]);
    if (optind < argc)
        o->image = argv[optind++];
    if (optind < argc)
        usage_error("unexpected argument '%s' (one IMAGE at most)", argv[optind]);
    if (o->no_wait && !o->gdb)
        usage_error("%s", "--no-wait only makes sense with --gdb");
    if (o->view_given && !o->gdb)
        usage_error("%s", "--gdb-arch and --gdb-realmode-linear only make sense with --gdb");
    if (o->restore) {
        const char *clash = o->image        ? "an IMAGE"
                            : o->ram_given  ? "-m"
                            : o->cpus_given ? "--cpus"
                            : o->cmdline    ? "--cmdline"
                            : o->initrd     ? "--initrd"
                            : o->load_addr  ? "--load-addr"
                            : o->irqchip    ? "--irqchip"
                                            : NULL;
        if (clash)
            usage_error("--restore takes the whole machine from the file: %s does not go with it",
                        clash);
    }
}

static bool image_is_linux(enum image_kind kind)
{
    return kind == IMAGE_BZIMAGE || kind == IMAGE_PVH;
}

/* The one VM object; the signal handler needs it to put the terminal back. */
static struct vm the_vm;

static void on_fatal_signal(int sig)
{
    console_restore_tty(&the_vm.console);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signal_handlers(void)
{
    signal(SIGPIPE, SIG_IGN);
    int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        signal(sigs[i], on_fatal_signal);
}

static int open_image(const struct options *o, struct image *img)
{
    if (!o->image) {
        *img = (struct image){
            .path = DEMO_PATH, .data = demo_image, .size = demo_image_size, .kind = IMAGE_RAW};
        return 0;
    }
    struct load_error err;
    if (image_open(img, o->image, &err) < 0) {
        diag("%s: %s", o->image, err.msg);
        return -1;
    }
    return 0;
}

/* RAM when -m is not given: enough for the image. An image that claims more than
 * DEFAULT_RAM_CAP (a bss of gigabytes is more likely a broken file) must ask with -m. */
static int default_ram(const struct image *img, uint64_t *size)
{
    if (image_is_linux(img->kind)) {
        *size = DEFAULT_RAM_LINUX;
        return 0;
    }
    uint64_t top = image_min_ram(img);
    if (top > DEFAULT_RAM_CAP) {
        diag("%s: the image spans %llu MiB of memory; give -m to run it with that much RAM",
             img->path, (unsigned long long)(top >> 20));
        return -1;
    }
    uint64_t need = (top + 2 * MIB + MIB - 1) & ~(MIB - 1);
    *size = need > DEFAULT_RAM_BARE ? need : DEFAULT_RAM_BARE;
    return 0;
}

/* Serve gdb on the started VM, or wait for its end without one; the exit status. */
static int run_vm(struct vm *vm, struct stub_server *server, const struct options *o,
                  const char *exec_file)
{
    bool running = !server || o->no_wait;
    if (vm_start(vm, running) < 0)
        return EXIT_SETUP;
    int status;
    if (server) {
        struct target target;
        debug_target_init(vm, &target, &o->view, exec_file);
        status = stub_server_run(server, &target, running);
    } else {
        status = vm_wait(vm);
    }
    vm_explain_end(vm, status);
    return status;
}

/* --restore FILE: the machine a snapshot file holds, built with its shape, then its state. */
static int main_restore(struct options *o, const char *producer)
{
    char err[512];
    struct snapshot_file *f = snapshot_file_open(o->restore, producer, err, sizeof(err));
    if (!f) {
        diag("%s: %s", o->restore, err);
        qemu_args_free(&o->args);
        return EXIT_SETUP;
    }
    const struct snapshot_meta *m = snapshot_file_meta(f);
    o->view.image_code64 = m->linux_guest || m->boot_mode == CPU_MODE_LONG64;
    struct vm *vm = &the_vm;
    struct stub_server *server = NULL;
    int status = EXIT_SETUP;
    struct vm_config cfg = {
        .ram_size = m->ram_size,
        .cpus = (int)m->ncpus,
        .trace_io = o->trace_io,
        .trace_exits = o->trace_exits,
        .irqchip = m->irqchip != 0,
        .gdb = o->gdb != NULL,
        .console = o->console,
        .producer = producer,
    };
    if (vm_create(vm, &cfg) < 0)
        goto out;
    if (o->gdb && !(server = stub_server_listen(o->gdb)))
        goto out;
    if (server && guest_debug_init(vm) < 0)
        goto out;
    vm->image_kind = (enum image_kind)m->image_kind;
    vm->linux_at_link_address = m->linux_at_link_address != 0;
    /* CPUID, the platform's MSRs and a boot state first; the file's state then replaces all
     * of it, and its RAM the RAM. */
    struct boot_state boot = {.mode = (enum cpu_mode)m->boot_mode,
                              .linux_guest = m->linux_guest != 0};
    if (vm_setup_boot(vm, &boot) < 0)
        goto out;
    if (snapshot_file_restore(f, vm, err, sizeof(err)) < 0) {
        diag("%s: %s", o->restore, err);
        goto out;
    }
    if (m->linux_guest)
        console_make_raw(&vm->console);
    if (devices_start(vm) < 0)
        goto out;
    status = run_vm(vm, server, o, m->exec_file[0] ? m->exec_file : NULL);
out:
    vm_destroy(vm);
    if (server)
        stub_server_close(server);
    snapshot_file_close(f);
    qemu_args_free(&o->args);
    return status;
}

int main(int argc, char **argv)
{
    struct options o;
    parse_options(argc, argv, &o);
    install_signal_handlers();
    char producer[SNAPSHOT_PRODUCER_MAX];
    snprintf(producer, sizeof(producer), "kvmstub %s", kvmstub_version);
    if (o.restore)
        return main_restore(&o, producer);

    struct image img;
    if (open_image(&o, &img) < 0) {
        qemu_args_free(&o.args);
        return EXIT_SETUP;
    }
    bool linux_guest = image_is_linux(img.kind);
    if (!linux_guest && o.initrd)
        usage_error("--initrd is for Linux images; %s is not one", img.path);
    o.view.image_code64 = img.code64;
    const char *misfit = cpu_view_misfit(&o.view, image_entry_mode(&img));
    if (misfit)
        usage_error("--gdb-arch does not fit this image: %s", misfit);

    struct vm *vm = &the_vm;
    int status = EXIT_SETUP;
    struct stub_server *server = NULL;

    char cmdline[LINUX_CMDLINE_BUF];
    const char *effective_cmdline = o.cmdline;
    if (linux_guest) {
        if (!linux_cmdline_build(cmdline, sizeof(cmdline), o.cmdline, o.gdb != NULL,
                                 host_kind_detect() == HOST_EMULATING)) {
            diag("the kernel command line is too long: with what kvmstub adds to it, it must "
                 "fit in %d bytes",
                 LINUX_CMDLINE_BUF - 1);
            goto out_before_vm;
        }
        effective_cmdline = cmdline;
    }

    uint64_t ram_size = o.ram_size;
    if (!o.ram_given && default_ram(&img, &ram_size) < 0)
        goto out_before_vm;
    struct vm_config cfg = {
        .ram_size = ram_size,
        .cpus = o.cpus,
        .trace_io = o.trace_io,
        .trace_exits = o.trace_exits,
        .irqchip = linux_guest || o.irqchip,
        .gdb = o.gdb != NULL,
        .console = o.console,
        .producer = producer,
    };
    if (vm_create(vm, &cfg) < 0)
        goto out;
    /* Listen once the VM exists: no "waiting for gdb" on a host without KVM. */
    if (o.gdb && !(server = stub_server_listen(o.gdb)))
        goto out;
    if (server && guest_debug_init(vm) < 0)
        goto out;
    vm->image_kind = img.kind;
    /* Without KASLR the kernel runs where it was linked (debug/breakpoints.c relies on it). */
    vm->linux_at_link_address = linux_guest && strstr(effective_cmdline, "nokaslr") != NULL;

    struct load_options lo = {
        .load_addr = o.load_addr, .cmdline = effective_cmdline, .initrd = o.initrd};
    struct boot_state boot;
    struct load_error err;
    if (loader_load(&img, &vm->ram, &lo, &boot, &err) < 0) {
        diag("%s: %s", img.path, err.msg);
        goto out;
    }
    if (vm_setup_boot(vm, &boot) < 0)
        goto out;
    /* A kernel that will move itself: learn by how much, for gdb (debug/kaslr.h). */
    if (server && boot.linux_text_link && !vm->linux_at_link_address)
        kaslr_arm(vm, boot.linux_text_link, boot.linux_slide_align);
    if (linux_guest)
        console_make_raw(&vm->console);
    if (devices_start(vm) < 0)
        goto out;

    status = run_vm(vm, server, &o, image_is_elf(&img) ? img.path : NULL);
out:
    vm_destroy(vm);
out_before_vm:
    if (server)
        stub_server_close(server);
    if (o.image)
        image_close(&img);
    qemu_args_free(&o.args);
    return status;
}
