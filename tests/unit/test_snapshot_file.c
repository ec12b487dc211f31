/* tests/unit/test_snapshot_file.c — snapshot files: what is written is read back, and a file
 * that is not whole, not a snapshot, or another kvmstub's is refused with the reason. */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/crc32.h"
#include "base/ram.h"
#include "check.h"
#include "vm/dev/devices.h"
#include "vm/snapshot.h"
#include "vm/snapshot_file.h"
#include "vm/snapshot_internal.h"

#define PAGE     4096u
#define RAM_SIZE (4u << 20)
#define PRODUCER "kvmstub 0.1.0"

static char path[64];

/* A one-vCPU snapshot as vm/snapshot.c would take it, with recognisable values. */
static struct snapshot *fake_snapshot(void)
{
    struct snapshot *s = calloc(1, sizeof(*s));
    s->ncpus = 1;
    s->irqchip = true;
    s->xsave_size = sizeof(struct kvm_xsave);
    s->has_xcrs = true;
    struct vcpu_snapshot *c = &s->cpu[0];
    c->regs.rip = 0x100123;
    c->regs.r15 = 0x1515;
    c->sregs.cr3 = 0x9000;
    c->xsave = calloc(1, s->xsave_size);
    c->xsave->region[10] = 0xabcdef;
    c->msrs = calloc(1, sizeof(*c->msrs) + 2 * sizeof(struct kvm_msr_entry));
    c->msrs->nmsrs = 2;
    c->msrs->entries[0] = (struct kvm_msr_entry){.index = 0x10, .data = 12345};
    c->msrs->entries[1] = (struct kvm_msr_entry){.index = 0xc0000102, .data = 0xffff8880};
    c->cpuid = calloc(1, sizeof(*c->cpuid) + sizeof(struct kvm_cpuid_entry2));
    c->cpuid->nent = 1;
    c->cpuid->entries[0] = (struct kvm_cpuid_entry2){.function = 1, .ecx = 0x80000000};
    c->done = true;
    s->pit.channels[0].count = 7;
    uint8_t *dev = calloc(1, devices_state_size());
    dev[0] = 0x0f;
    s->devices = devices_state_unpack(dev, devices_state_size());
    free(dev);
    return s;
}

static const struct snapshot_meta meta = {
    .producer = PRODUCER,
    .ram_size = RAM_SIZE,
    .ncpus = 1,
    .irqchip = 1,
    .image_kind = IMAGE_ELF64,
    .boot_mode = CPU_MODE_LONG64,
    .exec_file = "/some/guest.img",
};

static int write_file(void)
{
    uint8_t *host = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    struct guest_ram ram;
    ram_init(&ram, host, RAM_SIZE);
    memset(host + 5 * PAGE, 0x55, PAGE);
    struct snapshot *s = fake_snapshot();
    char err[256] = "";
    int rc = ram_copy_take(&s->ram, host, NULL, RAM_SIZE, err, sizeof(err));
    if (rc == 0)
        rc = snapshot_file_write(path, &meta, s, &ram, err, sizeof(err));
    if (rc < 0)
        printf("  write: %s\n", err);
    snapshot_free(s);
    munmap(host, RAM_SIZE);
    return rc;
}

/* Open path as PRODUCER; NULL and the reason in err when refused. */
static struct snapshot_file *open_file(char *err, size_t errlen)
{
    return snapshot_file_open(path, PRODUCER, err, errlen);
}

static void crc32_is_zlibs(void)
{
    CHECK_EQ(crc32_update(0, "123456789", 9), 0xcbf43926u);
    CHECK_EQ(crc32_update(crc32_update(0, "1234", 4), "56789", 5), 0xcbf43926u);
}

static void written_file_reads_back(void)
{
    CHECK_EQ(write_file(), 0);
    char err[256] = "";
    struct snapshot_file *f = open_file(err, sizeof(err));
    CHECK(f != NULL);
    if (!f) {
        printf("  open: %s\n", err);
        return;
    }
    const struct snapshot_meta *m = snapshot_file_meta(f);
    CHECK_EQ(m->ram_size, RAM_SIZE);
    CHECK_EQ(m->ncpus, 1);
    CHECK_STR(m->exec_file, "/some/guest.img");
    const struct snapshot *s = snapshot_file_state(f);
    CHECK_EQ(s->cpu[0].regs.rip, 0x100123);
    CHECK_EQ(s->cpu[0].regs.r15, 0x1515);
    CHECK_EQ(s->cpu[0].sregs.cr3, 0x9000);
    CHECK_EQ(s->cpu[0].xsave->region[10], 0xabcdef);
    CHECK_EQ(s->cpu[0].msrs->nmsrs, 2);
    CHECK_EQ(s->cpu[0].msrs->entries[1].data, 0xffff8880);
    CHECK_EQ(s->cpu[0].cpuid->entries[0].ecx, 0x80000000u);
    CHECK(s->cpu[0].done);
    CHECK_EQ(s->pit.channels[0].count, 7);
    snapshot_file_close(f);
    /* The RAM is there, page-aligned, sparse: page 5 holds its bytes. */
    int fd = open(path, O_RDONLY);
    off_t end = lseek(fd, 0, SEEK_END);
    uint8_t b = 0;
    CHECK_EQ(pread(fd, &b, 1, end - RAM_SIZE + 5 * PAGE + 7), 1);
    CHECK_EQ(b, 0x55);
    close(fd);
}

/* Refused with a reason matching why; the file is rewritten first. */
static void expect_refused(const char *why)
{
    char err[256] = "";
    struct snapshot_file *f = open_file(err, sizeof(err));
    CHECK(f == NULL);
    snapshot_file_close(f);
    if (!strstr(err, why))
        printf("  refused with '%s', expected '%s'\n", err, why);
    CHECK(strstr(err, why) != NULL);
}

static void patch(off_t at, const void *bytes, size_t len)
{
    int fd = open(path, O_WRONLY);
    CHECK_EQ(pwrite(fd, bytes, len, at), (ssize_t)len);
    close(fd);
}

static void bad_files_are_refused_with_the_reason(void)
{
    CHECK_EQ(write_file(), 0);
    CHECK_EQ(truncate(path, RAM_SIZE), 0); /* the end of the RAM is gone */
    expect_refused("truncated");
    CHECK_EQ(truncate(path, 100), 0);
    expect_refused("too short");

    CHECK_EQ(write_file(), 0);
    patch(4096 + 20, "\x99", 1); /* in the state */
    expect_refused("state is corrupted");

    CHECK_EQ(write_file(), 0);
    patch(89, "\x77", 1); /* in the header: the RAM size */
    expect_refused("header is corrupted");

    CHECK_EQ(write_file(), 0);
    patch(0, "ELF!", 4);
    expect_refused("not a kvmstub snapshot");

    CHECK_EQ(write_file(), 0);
    char err[256] = "";
    struct snapshot_file *f = snapshot_file_open(path, "kvmstub 0.2.0", err, sizeof(err));
    CHECK(f == NULL);
    CHECK(strstr(err, "written by kvmstub 0.1.0; this is kvmstub 0.2.0") != NULL);

    unlink(path);
    expect_refused("cannot open");
}

int main(void)
{
    snprintf(path, sizeof(path), "/tmp/kvmstub-test-snap-%d", (int)getpid());
    RUN(crc32_is_zlibs);
    RUN(written_file_reads_back);
    RUN(bad_files_are_refused_with_the_reason);
    unlink(path);
    return CHECK_DONE();
}
