/* cli/qemu_args.c — QEMU's spellings rewritten into kvmstub's own options (cli/qemu_args.h). */
#include "cli/qemu_args.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QEMU_GDB_DEFAULT     ":1234" /* -s: tcp::1234, on kvmstub's default host (loopback) */
#define QEMU_DEBUG_EXIT_PORT 0xF4    /* kvmstub's exit port; QEMU's device defaults to 0x501 */
#define QEMU_DEBUG_EXIT_MAX  4       /* iosize: bytes */
#define NATIVE_SIZE_OPTION   'm'     /* kvmstub's -m, which may carry its size: -m64M */

struct qemu_state {
    struct qemu_args *out;
    const char *gdb; /* the debugger's address from -s or -gdb */
    bool wait;       /* -S */
    bool native_gdb; /* --gdb was given */
};

static int qemu_refuse(const char *opt, const char *value, const char *why)
{
    fprintf(stderr, "kvmstub: -%s%s%s: %s\n", opt, value ? " " : "", value ? value : "", why);
    return -1;
}

static void qemu_push(struct qemu_state *st, const char *arg)
{
    st->out->argv[st->out->argc++] = (char *)arg;
}

/* The comma-separated item of value that is not allowed (a copy in buf), or NULL when every
 * item passes ok. */
static const char *qemu_bad_item(const char *value, bool (*ok)(const char *item, size_t len),
                                 char *buf, size_t size)
{
    for (const char *p = value;;) {
        size_t len = strcspn(p, ",");
        if (!ok(p, len)) {
            snprintf(buf, size, "%.*s", (int)len, p);
            return buf;
        }
        if (!p[len])
            return NULL;
        p += len + 1;
    }
}

static bool qemu_item_is(const char *item, size_t len, const char *word)
{
    return strlen(word) == len && strncmp(item, word, len) == 0;
}

/* ---- one function per QEMU option ---- */

static int qemu_kernel(struct qemu_state *st, const char *opt, const char *value)
{
    if (st->out->kernel)
        return qemu_refuse(opt, value, "the image is already given by -kernel");
    st->out->kernel = value;
    return 0;
}

static int qemu_memory(struct qemu_state *st, const char *opt, const char *value)
{
    const char *size = strncmp(value, "size=", 5) == 0 ? value + 5 : value;
    if (strchr(size, ','))
        return qemu_refuse(opt, value, "kvmstub takes only a size (no slots or maxmem)");
    qemu_push(st, "--memory");
    qemu_push(st, size);
    return 0;
}

static int qemu_smp(struct qemu_state *st, const char *opt, const char *value)
{
    const char *count = strncmp(value, "cpus=", 5) == 0 ? value + 5 : value;
    if (strchr(count, ',') || strchr(count, '='))
        return qemu_refuse(opt, value,
                           "kvmstub takes only a number of vCPUs, N or cpus=N (no sockets, "
                           "cores, threads or maxcpus)");
    qemu_push(st, "--cpus");
    qemu_push(st, count);
    return 0;
}

static int qemu_gdb_default(struct qemu_state *st, const char *opt, const char *value)
{
    if (st->gdb)
        return qemu_refuse(opt, value, "the debugger's address is already given (-s or -gdb)");
    st->gdb = QEMU_GDB_DEFAULT;
    return 0;
}

static int qemu_wait(struct qemu_state *st, const char *opt, const char *value)
{
    st->wait = true;
    return 0;
}

/* QEMU's server flags, which say what kvmstub does anyway. */
static bool qemu_gdb_flag_ok(const char *item, size_t len)
{
    return qemu_item_is(item, len, "server") || qemu_item_is(item, len, "server=on") ||
           qemu_item_is(item, len, "nowait") || qemu_item_is(item, len, "wait=off");
}

static int qemu_gdb(struct qemu_state *st, const char *opt, const char *value)
{
    if (st->gdb)
        return qemu_refuse(opt, value, "the debugger's address is already given (-s or -gdb)");
    size_t len = strcspn(value, ",");
    char bad[64];
    if (value[len] && qemu_bad_item(value + len + 1, qemu_gdb_flag_ok, bad, sizeof(bad)))
        return qemu_refuse(opt, value,
                           "kvmstub serves gdb as a server that does not wait; "
                           "it does not know the flag given");
    const char *addr;
    if (strncmp(value, "tcp:", 4) == 0)
        addr = value + 4; /* ":PORT" (loopback) or "HOST:PORT" */
    else if (strncmp(value, "unix:", 5) == 0)
        addr = value;
    else
        return qemu_refuse(opt, value,
                           "kvmstub serves gdb on tcp::PORT, tcp:HOST:PORT or "
                           "unix:PATH");
    free(st->out->gdb);
    st->out->gdb = strndup(addr, len - (size_t)(addr - value));
    if (!st->out->gdb)
        return qemu_refuse(opt, value, "out of memory");
    st->gdb = st->out->gdb;
    return 0;
}

static int qemu_nothing(struct qemu_state *st, const char *opt, const char *value)
{
    return 0;
}

/* A value kvmstub's behaviour already matches: accepted, nothing to do. */
static int qemu_only(const char *opt, const char *value, const char *accepted, const char *why)
{
    return strcmp(value, accepted) == 0 ? 0 : qemu_refuse(opt, value, why);
}

static int qemu_serial(struct qemu_state *st, const char *opt, const char *value)
{
    if (strcmp(value, "mon:stdio") == 0)
        return 0;
    return qemu_only(opt, value, "stdio",
                     "kvmstub's serial port is its console, on stdio unless --console says "
                     "otherwise (-serial stdio and mon:stdio are accepted)");
}

static bool qemu_machine_item_ok(const char *item, size_t len)
{
    return qemu_item_is(item, len, "accel=kvm");
}

static int qemu_machine(struct qemu_state *st, const char *opt, const char *value)
{
    char bad[64];
    if (qemu_bad_item(value, qemu_machine_item_ok, bad, sizeof(bad)))
        return qemu_refuse(opt, value,
                           "kvmstub has one machine of its own (-machine accel=kvm is accepted)");
    return 0;
}

static bool qemu_debug_exit_item_ok(const char *item, size_t len)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%.*s", (int)len, item);
    char *end;
    if (strcmp(buf, "isa-debug-exit") == 0)
        return true;
    if (strncmp(buf, "iobase=", 7) == 0)
        return strtoul(buf + 7, &end, 0) == QEMU_DEBUG_EXIT_PORT && !*end;
    if (strncmp(buf, "iosize=", 7) == 0) {
        unsigned long n = strtoul(buf + 7, &end, 0);
        return n >= 1 && n <= QEMU_DEBUG_EXIT_MAX && !*end;
    }
    return false;
}

static int qemu_device(struct qemu_state *st, const char *opt, const char *value)
{
    char bad[64];
    if (strncmp(value, "isa-debug-exit,", 15) != 0 || !strstr(value, "iobase=") ||
        qemu_bad_item(value, qemu_debug_exit_item_ok, bad, sizeof(bad)))
        return qemu_refuse(opt, value,
                           "kvmstub has no devices to add; its exit port is QEMU's "
                           "isa-debug-exit at 0xf4 (-device isa-debug-exit,iobase=0xf4 is "
                           "accepted)");
    return 0;
}

/* An option is handled by fn; or it is kvmstub's option `native` under another name (with the
 * value, if it has one); or it accepts one value, `accepted`, that asks for what kvmstub does
 * anyway, and refuses others saying why. */
static const struct qemu_option {
    const char *name;
    bool has_value;
    int (*fn)(struct qemu_state *st, const char *opt, const char *value);
    const char *native;
    const char *accepted, *why;
} qemu_options[] = {
    {"kernel", true, qemu_kernel, NULL, NULL, NULL},
    {"initrd", true, NULL, "--initrd", NULL, NULL},
    {"append", true, NULL, "--cmdline", NULL, NULL},
    {"m", true, qemu_memory, NULL, NULL, NULL},
    {"smp", true, qemu_smp, NULL, NULL, NULL},
    {"s", false, qemu_gdb_default, NULL, NULL, NULL},
    {"S", false, qemu_wait, NULL, NULL, NULL},
    {"gdb", true, qemu_gdb, NULL, NULL, NULL},
    {"nographic", false, qemu_nothing, NULL, NULL, NULL},
    {"no-reboot", false, qemu_nothing, NULL, NULL, NULL},
    {"enable-kvm", false, qemu_nothing, NULL, NULL, NULL},
    {"serial", true, qemu_serial, NULL, NULL, NULL},
    {"display", true, NULL, NULL, "none", "kvmstub has no display"},
    {"debugcon", true, NULL, NULL, "stdio",
     "kvmstub's debug port 0xE9 writes to its console (-debugcon stdio is accepted)"},
    {"accel", true, NULL, NULL, "kvm", "kvmstub runs on KVM only"},
    {"machine", true, qemu_machine, NULL, NULL, NULL},
    {"M", true, qemu_machine, NULL, NULL, NULL},
    {"cpu", true, NULL, NULL, "host", "kvmstub's vCPUs are the host's (-cpu host)"},
    {"device", true, qemu_device, NULL, NULL, NULL},
    {"help", false, NULL, "--help", NULL, NULL},
    {"version", false, NULL, "--version", NULL, NULL},
};

static const struct qemu_option *qemu_find(const char *name)
{
    for (size_t i = 0; i < sizeof(qemu_options) / sizeof(qemu_options[0]); i++)
        if (strcmp(qemu_options[i].name, name) == 0)
            return &qemu_options[i];
    return NULL;
}

/* A native long option as getopt_long finds it: exact, or an unambiguous prefix. */
static const struct option *native_find(const struct option *native, const char *name, size_t len)
{
    const struct option *found = NULL;
    for (const struct option *o = native; o->name; o++) {
        if (strncmp(o->name, name, len) != 0)
            continue;
        if (strlen(o->name) == len)
            return o;
        if (found)
            return NULL; /* ambiguous: getopt_long says so */
        found = o;
    }
    return found;
}

/* A QEMU option at argv[*i] (name without its dashes); its value is the next argument. */
static int qemu_option(struct qemu_state *st, const struct qemu_option *q, int argc, char **argv,
                       int *i)
{
    const char *value = NULL;
    if (q->has_value) {
        if (*i + 1 >= argc)
            return qemu_refuse(q->name, NULL, "needs a value");
        value = argv[++*i];
    }
    if (q->fn)
        return q->fn(st, q->name, value);
    if (q->accepted)
        return qemu_only(q->name, value, q->accepted, q->why);
    qemu_push(st, q->native);
    if (value)
        qemu_push(st, value);
    return 0;
}

int qemu_args_translate(int argc, char **argv, const struct option *native, struct qemu_args *out)
{
    memset(out, 0, sizeof(*out));
    out->argv = calloc(2 * (size_t)argc + 4, sizeof(*out->argv));
    if (!out->argv) {
        fprintf(stderr, "kvmstub: out of memory\n");
        return -1;
    }
    struct qemu_state st = {.out = out};
    qemu_push(&st, argv[0]);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            while (i < argc)
                qemu_push(&st, argv[i++]);
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0') {
            qemu_push(&st, arg); /* IMAGE */
            continue;
        }
        bool dashdash = arg[1] == '-';
        const char *name = arg + (dashdash ? 2 : 1);
        size_t len = strcspn(name, "=");
        const struct option *n = dashdash ? native_find(native, name, len) : NULL;
        const struct qemu_option *q = n || name[len] ? NULL : qemu_find(name);
        if (q) {
            if (qemu_option(&st, q, argc, argv, &i) < 0)
                goto fail;
            continue;
        }
        bool native_attached = name[0] == NATIVE_SIZE_OPTION && isdigit((unsigned char)name[1]);
        if (!dashdash && strlen(name) > 1 && !native_attached) {
            qemu_refuse(name, NULL,
                        "a QEMU option kvmstub does not have (see 'From QEMU' in kvmstub --help)");
            goto fail;
        }
        /* kvmstub's own (getopt_long judges it), with its value when it takes one. */
        qemu_push(&st, arg);
        if (n && n->has_arg == required_argument && !name[len] && i + 1 < argc)
            qemu_push(&st, argv[++i]);
        if (n && strcmp(n->name, "gdb") == 0)
            st.native_gdb = true;
    }
    if (st.gdb && st.native_gdb) {
        fprintf(stderr, "kvmstub: --gdb and QEMU's -s or -gdb: give the debugger's address once\n");
        goto fail;
    }
    if (st.gdb) {
        qemu_push(&st, "--gdb");
        qemu_push(&st, st.gdb);
        if (!st.wait)
            qemu_push(&st, "--no-wait"); /* QEMU starts the guest unless -S */
    } else if (st.wait && !st.native_gdb) {
        qemu_push(&st, "--gdb"); /* -S alone: only gdb can start the guest */
        qemu_push(&st, QEMU_GDB_DEFAULT);
    }
    out->argv[out->argc] = NULL;
    return 0;
fail:
    qemu_args_free(out);
    return -1;
}

void qemu_args_free(struct qemu_args *q)
{
    free(q->argv);
    free(q->gdb);
    q->argv = NULL;
    q->gdb = NULL;
}
