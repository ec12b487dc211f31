/* vm/snapshot_file.c — writing, checking and restoring snapshot files (see snapshot_file.h). */
#include "vm/snapshot_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/crc32.h"
#include "base/ram.h"
#include "vm/dev/devices.h"
#include "vm/snapshot.h"
#include "vm/snapshot_internal.h"

#define PAGE              4096ULL
#define FILE_MAGIC        "KVMSTUB SNAPSHOT" /* 16 bytes, no terminator */
#define FILE_FORMAT       2 /* 2: a triple-fault stop's kind, the console's events */
#define HEADER_SIZE       PAGE
#define STATE_MAX         (64ULL << 20) /* far beyond any real state: a corrupt size is refused */
#define CPUID_ENTRIES_MAX 256
#define MSRS_MAX          4096

/* The first page of the file; fixed-size fields, little-endian as the host (x86 only). */
struct file_header {
    char magic[16];
    uint32_t format;
    uint32_t header_crc; /* of this page with this field zero */
    struct snapshot_meta meta;
    uint64_t xsave_size;
    uint32_t has_xcrs;
    uint32_t state_crc;
    uint64_t state_offset, state_size;
    uint64_t ram_offset;
};

_Static_assert(sizeof(struct file_header) <= HEADER_SIZE, "the header fits in its page");

struct snapshot_file {
    int fd;
    struct file_header h;
    struct snapshot *snap; /* the state, RAM not included */
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- the state as bytes ------------------------------------------------------------------ */

struct wbuf {
    uint8_t *p;
    size_t len, cap;
    bool oom;
};

static void put(struct wbuf *w, const void *data, size_t len)
{
    if (w->oom)
        return;
    if (w->len + len > w->cap) {
        size_t cap = w->cap ? w->cap : 65536;
        while (cap < w->len + len)
            cap *= 2;
        uint8_t *p = realloc(w->p, cap);
        if (!p) {
            w->oom = true;
            return;
        }
        w->p = p, w->cap = cap;
    }
    memcpy(w->p + w->len, data, len);
    w->len += len;
}

static void put_u32(struct wbuf *w, uint32_t v)
{
    put(w, &v, sizeof(v));
}

struct rbuf {
    const uint8_t *p;
    size_t len, off;
    bool bad; /* ran past the end, or a count out of range */
};

static void get(struct rbuf *r, void *data, size_t len)
{
    if (r->bad || len > r->len - r->off) {
        r->bad = true;
        memset(data, 0, len);
        return;
    }
    memcpy(data, r->p + r->off, len);
    r->off += len;
}

static uint32_t get_u32(struct rbuf *r)
{
    uint32_t v;
    get(r, &v, sizeof(v));
    return v;
}

static void put_state(struct wbuf *w, const struct snapshot *snap)
{
    for (int i = 0; i < snap->ncpus; i++) {
        const struct vcpu_snapshot *c = &snap->cpu[i];
        put(w, &c->regs, sizeof(c->regs));
        put(w, &c->sregs, sizeof(c->sregs));
        put(w, &c->xcrs, sizeof(c->xcrs));
        put(w, &c->lapic, sizeof(c->lapic));
        put(w, &c->events, sizeof(c->events));
        put(w, &c->mp_state, sizeof(c->mp_state));
        put(w, &c->debugregs, sizeof(c->debugregs));
        put_u32(w, c->done);
        put_u32(w, (uint32_t)c->fatal_status);
        put_u32(w, (uint32_t)c->fatal_shutdown);
        put_u32(w, c->msrs->nmsrs);
        put(w, c->msrs->entries, c->msrs->nmsrs * sizeof(c->msrs->entries[0]));
        put(w, c->xsave, snap->xsave_size);
        put_u32(w, c->cpuid->nent);
        put(w, c->cpuid->entries, c->cpuid->nent * sizeof(c->cpuid->entries[0]));
    }
    put(w, snap->chips, sizeof(snap->chips));
    put(w, &snap->pit, sizeof(snap->pit));
    put(w, &snap->clock, sizeof(snap->clock));
    put_u32(w, CONSOLE_NEVENTS);
    for (int e = 0; e < CONSOLE_NEVENTS; e++)
        put_u32(w, console_watch_seen(&snap->console, (enum console_event)e));
    uint32_t dlen = (uint32_t)devices_state_size();
    put_u32(w, dlen);
    uint8_t *dev = malloc(dlen);
    if (!dev) {
        w->oom = true;
        return;
    }
    devices_state_pack(snap->devices, dev);
    put(w, dev, dlen);
    free(dev);
}

/* A snapshot (without RAM) from the state bytes; NULL when they do not add up. */
static struct snapshot *get_state(struct rbuf *r, const struct file_header *h)
{
    struct snapshot *snap = calloc(1, sizeof(*snap));
    if (!snap)
        return NULL;
    snap->ncpus = (int)h->meta.ncpus;
    snap->irqchip = h->meta.irqchip != 0;
    snap->xsave_size = h->xsave_size;
    snap->has_xcrs = h->has_xcrs != 0;
    for (int i = 0; i < snap->ncpus && !r->bad; i++) {
        struct vcpu_snapshot *c = &snap->cpu[i];
        get(r, &c->regs, sizeof(c->regs));
        get(r, &c->sregs, sizeof(c->sregs));
        get(r, &c->xcrs, sizeof(c->xcrs));
        get(r, &c->lapic, sizeof(c->lapic));
        get(r, &c->events, sizeof(c->events));
        get(r, &c->mp_state, sizeof(c->mp_state));
        get(r, &c->debugregs, sizeof(c->debugregs));
        c->done = get_u32(r) != 0;
        c->fatal_status = (int)get_u32(r);
        uint32_t shutdown = get_u32(r);
        c->fatal_shutdown = (enum vcpu_shutdown)shutdown;
        uint32_t nmsrs = get_u32(r);
        if (nmsrs > MSRS_MAX || shutdown > SHUTDOWN_STATE_RESET) {
            r->bad = true;
            break;
        }
        c->msrs = calloc(1, sizeof(*c->msrs) + (nmsrs + 1) * sizeof(c->msrs->entries[0]));
        c->xsave = calloc(1, snap->xsave_size);
        if (!c->msrs || !c->xsave) {
            r->bad = true;
            break;
        }
        c->msrs->nmsrs = nmsrs;
        get(r, c->msrs->entries, nmsrs * sizeof(c->msrs->entries[0]));
        get(r, c->xsave, snap->xsave_size);
        uint32_t nent = get_u32(r);
        if (nent > CPUID_ENTRIES_MAX) {
            r->bad = true;
            break;
        }
        c->cpuid = calloc(1, sizeof(*c->cpuid) + (nent + 1) * sizeof(c->cpuid->entries[0]));
        if (!c->cpuid) {
            r->bad = true;
            break;
        }
        c->cpuid->nent = nent;
        get(r, c->cpuid->entries, nent * sizeof(c->cpuid->entries[0]));
    }
    get(r, snap->chips, sizeof(snap->chips));
    get(r, &snap->pit, sizeof(snap->pit));
    get(r, &snap->clock, sizeof(snap->clock));
    if (get_u32(r) != CONSOLE_NEVENTS)
        r->bad = true;
    for (int e = 0; e < CONSOLE_NEVENTS && !r->bad; e++)
        snap->console.seen[e] = get_u32(r) != 0;
    uint32_t dlen = get_u32(r);
    if (!r->bad && dlen <= r->len - r->off) {
        snap->devices = devices_state_unpack(r->p + r->off, dlen);
        r->off += dlen;
    }
    if (r->bad || !snap->devices || r->off != r->len) {
        snapshot_free(snap);
        return NULL;
    }
    return snap;
}

/* ---- writing ----------------------------------------------------------------------------- */

static bool all_zero(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i])
            return false;
    return true;
}

/* The RAM as the snapshot has it: its pages, the backing (or zero) elsewhere; zero pages are
 * left as holes. */
static int write_ram(int fd, uint64_t offset, const struct snapshot *snap,
                     const struct guest_ram *ram, char *err, size_t errlen)
{
    if (ftruncate(fd, (off_t)(offset + ram->size)) < 0)
        return fail(err, errlen, "cannot size the file: %s", strerror(errno));
    uint64_t j = 0;
    for (uint64_t p = 0; p < ram->size / PAGE; p++) {
        const uint8_t *page = NULL;
        if (j < snap->ram.npages && snap->ram.index[j] == p)
            page = snap->ram.data + j++ * PAGE;
        else if (ram->backing)
            page = ram->backing + p * PAGE;
        if (!page || all_zero(page, PAGE))
            continue;
        if (pwrite(fd, page, PAGE, (off_t)(offset + p * PAGE)) != (ssize_t)PAGE)
            return fail(err, errlen, "cannot write RAM: %s", strerror(errno));
    }
    return 0;
}

int snapshot_file_write(const char *path, const struct snapshot_meta *meta,
                        const struct snapshot *snap, const struct guest_ram *ram, char *err,
                        size_t errlen)
{
    struct wbuf w = {0};
    put_state(&w, snap);
    if (w.oom) {
        free(w.p);
        return fail(err, errlen, "out of memory for the state");
    }
    uint8_t *page = calloc(1, HEADER_SIZE);
    if (!page) {
        free(w.p);
        return fail(err, errlen, "out of memory");
    }
    struct file_header *h = (struct file_header *)page;
    memcpy(h->magic, FILE_MAGIC, sizeof(h->magic));
    h->format = FILE_FORMAT;
    h->meta = *meta;
    h->xsave_size = snap->xsave_size;
    h->has_xcrs = snap->has_xcrs;
    h->state_offset = HEADER_SIZE;
    h->state_size = w.len;
    h->state_crc = crc32_update(0, w.p, w.len);
    h->ram_offset = (HEADER_SIZE + w.len + PAGE - 1) & ~(PAGE - 1);
    h->header_crc = crc32_update(0, page, HEADER_SIZE);

    char tmp[SNAPSHOT_PATH_MAX + 16];
    snprintf(tmp, sizeof(tmp), "%s.partial", path);
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fail(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
    } else if (pwrite(fd, page, HEADER_SIZE, 0) != (ssize_t)HEADER_SIZE ||
               pwrite(fd, w.p, w.len, HEADER_SIZE) != (ssize_t)w.len) {
        fail(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    } else if (write_ram(fd, h->ram_offset, snap, ram, err, errlen) == 0) {
        rc = 0;
    }
    if (fd >= 0 && close(fd) < 0 && rc == 0)
        rc = fail(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    if (rc == 0 && rename(tmp, path) < 0)
        rc = fail(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (rc < 0 && fd >= 0)
        unlink(tmp);
    free(page);
    free(w.p);
    return rc;
}

/* ---- reading ----------------------------------------------------------------------------- */

static int check_header(struct file_header *h, uint8_t *page, uint64_t file_size,
                        const char *producer, char *err, size_t errlen)
{
    if (memcmp(h->magic, FILE_MAGIC, sizeof(h->magic)) != 0)
        return fail(err, errlen, "not a kvmstub snapshot file");
    if (h->format != FILE_FORMAT)
        return fail(err, errlen, "snapshot file format %u; this kvmstub reads format %d", h->format,
                    FILE_FORMAT);
    uint32_t crc = h->header_crc;
    memset(page + offsetof(struct file_header, header_crc), 0, sizeof(h->header_crc));
    if (crc32_update(0, page, HEADER_SIZE) != crc)
        return fail(err, errlen, "the header is corrupted (checksum mismatch)");
    h->meta.producer[SNAPSHOT_PRODUCER_MAX - 1] = 0;
    h->meta.exec_file[SNAPSHOT_PATH_MAX - 1] = 0;
    if (strcmp(h->meta.producer, producer) != 0)
        return fail(err, errlen, "written by %s; this is %s, which reads only its own",
                    h->meta.producer, producer);
    if (h->meta.ncpus < 1 || h->meta.ncpus > VM_MAX_CPUS || h->meta.ram_size == 0 ||
        h->meta.ram_size % PAGE || h->state_offset != HEADER_SIZE || h->state_size > STATE_MAX ||
        h->ram_offset % PAGE || h->ram_offset < HEADER_SIZE + h->state_size ||
        h->xsave_size < sizeof(struct kvm_xsave) || h->xsave_size > (1 << 20) ||
        h->meta.image_kind >= IMAGE_KIND_COUNT || h->meta.boot_mode > CPU_MODE_LONG64)
        return fail(err, errlen, "the header is inconsistent (corrupted)");
    if (file_size < h->ram_offset + h->meta.ram_size)
        return fail(err, errlen, "truncated: %llu bytes, the snapshot needs %llu",
                    (unsigned long long)file_size,
                    (unsigned long long)(h->ram_offset + h->meta.ram_size));
    return 0;
}

struct snapshot_file *snapshot_file_open(const char *path, const char *producer, char *err,
                                         size_t errlen)
{
    struct snapshot_file *f = calloc(1, sizeof(*f));
    uint8_t *page = calloc(1, HEADER_SIZE);
    uint8_t *state = NULL;
    struct stat st;
    if (f)
        f->fd = -1;
    if (!f || !page) {
        fail(err, errlen, "out of memory");
        goto fail;
    }
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (f->fd < 0) {
        fail(err, errlen, "cannot open: %s", strerror(errno));
        goto fail;
    }
    if (fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        fail(err, errlen, "not a regular file");
        goto fail;
    }
    ssize_t n = pread(f->fd, page, HEADER_SIZE, 0);
    if (n < 0) {
        fail(err, errlen, "cannot read it: %s", strerror(errno));
        goto fail;
    }
    if (n < (ssize_t)sizeof(FILE_MAGIC) - 1 || memcmp(page, FILE_MAGIC, sizeof(FILE_MAGIC) - 1)) {
        fail(err, errlen, "not a kvmstub snapshot file");
        goto fail;
    }
    if (n < (ssize_t)HEADER_SIZE) {
        fail(err, errlen, "too short to be a kvmstub snapshot (truncated in its header)");
        goto fail;
    }
    memcpy(&f->h, page, sizeof(f->h));
    if (check_header(&f->h, page, (uint64_t)st.st_size, producer, err, errlen) < 0)
        goto fail;
    state = malloc(f->h.state_size ? f->h.state_size : 1);
    if (!state) {
        fail(err, errlen, "out of memory for the state");
        goto fail;
    }
    if (pread(f->fd, state, f->h.state_size, (off_t)f->h.state_offset) !=
        (ssize_t)f->h.state_size) {
        fail(err, errlen, "cannot read the state");
        goto fail;
    }
    if (crc32_update(0, state, f->h.state_size) != f->h.state_crc) {
        fail(err, errlen, "the state is corrupted (checksum mismatch)");
        goto fail;
    }
    struct rbuf r = {.p = state, .len = f->h.state_size};
    f->snap = get_state(&r, &f->h);
    if (!f->snap) {
        fail(err, errlen, "the state does not add up (corrupted, or out of memory)");
        goto fail;
    }
    free(state);
    free(page);
    return f;
fail:
    free(state);
    free(page);
    snapshot_file_close(f);
    return NULL;
}

/* ---- restoring -------------------------------------------------------------------------- */

static const struct kvm_cpuid_entry2 *cpuid_find(const struct kvm_cpuid2 *c, uint32_t function,
                                                 uint32_t index)
{
    for (uint32_t i = 0; i < c->nent; i++)
        if (c->entries[i].function == function && c->entries[i].index == index)
            return &c->entries[i];
    return NULL;
}

/* The guest's features must all be ones this host's KVM offers (what kvmstub gives a new vCPU
 * here), and the vendor the same. OSXSAVE follows CR4 and the hypervisor bit is kvmstub's own. */
static int cpuid_fits(const struct kvm_cpuid2 *saved, const struct kvm_cpuid2 *here, char *err,
                      size_t errlen)
{
    static const struct {
        uint32_t function, index;
        int reg; /* 0 eax, 1 ebx, 2 ecx, 3 edx */
        uint32_t ignore;
    } checks[] = {
        {0, 0, 1, 0},
        {0, 0, 2, 0},
        {0, 0, 3, 0}, /* vendor */
        {1, 0, 2, 1u << 27 | 1u << 31},
        {1, 0, 3, 0},
        {7, 0, 1, 0},
        {7, 0, 2, 0},
        {7, 0, 3, 0},
        {0x80000001, 0, 2, 0},
        {0x80000001, 0, 3, 0},
        {0xd, 0, 0, 0},
    };
    static const char *const names[] = {"eax", "ebx", "ecx", "edx"};
    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        const struct kvm_cpuid_entry2 *a = cpuid_find(saved, checks[i].function, checks[i].index);
        const struct kvm_cpuid_entry2 *b = cpuid_find(here, checks[i].function, checks[i].index);
        if (!a)
            continue;
        uint32_t va[] = {a->eax, a->ebx, a->ecx, a->edx};
        uint32_t vb[4] = {0};
        if (b)
            vb[0] = b->eax, vb[1] = b->ebx, vb[2] = b->ecx, vb[3] = b->edx;
        uint32_t want = va[checks[i].reg] & ~checks[i].ignore;
        uint32_t have = vb[checks[i].reg] & ~checks[i].ignore;
        bool ok = checks[i].function == 0 ? want == have : (want & ~have) == 0;
        if (!ok)
            return fail(err, errlen,
                        "this host cannot give the guest the CPU it had: CPUID 0x%x.%u %s is "
                        "0x%08x there, 0x%08x here",
                        checks[i].function, checks[i].index, names[checks[i].reg], want, have);
    }
    return 0;
}

static int restore_cpuid(struct vcpu *vcpu, const struct kvm_cpuid2 *saved, char *err,
                         size_t errlen)
{
    struct kvm_cpuid2 *here =
        calloc(1, sizeof(*here) + CPUID_ENTRIES_MAX * sizeof(here->entries[0]));
    if (!here)
        return fail(err, errlen, "out of memory");
    here->nent = CPUID_ENTRIES_MAX;
    int rc = 0;
    if (ioctl(vcpu->fd, KVM_GET_CPUID2, here) < 0)
        rc = fail(err, errlen, "KVM_GET_CPUID2 (vCPU %d): %s", vcpu->id, strerror(errno));
    else if (cpuid_fits(saved, here, err, errlen) < 0)
        rc = -1;
    else if (ioctl(vcpu->fd, KVM_SET_CPUID2, saved) < 0)
        rc = fail(err, errlen, "KVM_SET_CPUID2 (vCPU %d): %s", vcpu->id, strerror(errno));
    free(here);
    return rc;
}

int snapshot_file_restore(struct snapshot_file *f, struct vm *vm, char *err, size_t errlen)
{
    const struct snapshot_meta *m = &f->h.meta;
    if ((uint32_t)vm->ncpus != m->ncpus || vm->ram.size != m->ram_size ||
        vm->cfg->irqchip != (m->irqchip != 0))
        return fail(err, errlen, "the machine was not created with the snapshot's shape");
    for (int i = 0; i < vm->ncpus; i++)
        if (restore_cpuid(&vm->vcpus[i], f->snap->cpu[i].cpuid, err, errlen) < 0)
            return -1;
    /* The file's RAM replaces the anonymous mapping in place (KVM's memory slots keep the
     * address; its MMU notifier drops the old pages); a second, read-only mapping is what the
     * guest's untouched pages read as, for later snapshots. */
    void *ram = mmap(vm->ram.host, m->ram_size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE, f->fd, (off_t)f->h.ram_offset);
    if (ram == MAP_FAILED)
        return fail(err, errlen, "cannot map the snapshot's RAM: %s", strerror(errno));
    void *backing = mmap(NULL, m->ram_size, PROT_READ, MAP_PRIVATE | MAP_NORESERVE, f->fd,
                         (off_t)f->h.ram_offset);
    if (backing == MAP_FAILED)
        return fail(err, errlen, "cannot map the snapshot's RAM: %s", strerror(errno));
    vm->ram.backing = backing;
    return snapshot_apply_cpu_and_devices(vm, f->snap, err, errlen);
}

const struct snapshot *snapshot_file_state(const struct snapshot_file *f)
{
    return f->snap;
}

const struct snapshot_meta *snapshot_file_meta(const struct snapshot_file *f)
{
    return &f->h.meta;
}

void snapshot_file_close(struct snapshot_file *f)
{
    if (!f)
        return;
    if (f->fd >= 0)
        close(f->fd);
    snapshot_free(f->snap);
    free(f);
}
