/* tests/unit/test_snapshot_ram.c — RAM copies through page residency, on a plain mapping. */
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "vm/snapshot_ram.h"

#define PAGE     4096u
#define NPAGES   4096u /* 16 MiB, like a small guest */
#define RAM_SIZE ((uint64_t)NPAGES * PAGE)

static uint8_t *map_ram(void)
{
    void *p = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void fill(uint8_t *ram, unsigned page, uint8_t value)
{
    memset(ram + (uint64_t)page * PAGE, value, PAGE);
}

static unsigned resident(uint8_t *ram)
{
    static unsigned char vec[NPAGES];
    unsigned n = 0;
    if (mincore(ram, RAM_SIZE, vec) == 0)
        for (unsigned i = 0; i < NPAGES; i++)
            n += vec[i] & 1;
    return n;
}

/* Only what the guest touched (and is not zero) is held. */
static void copy_holds_only_touched_pages(void)
{
    uint8_t *ram = map_ram();
    CHECK(ram != NULL);
    if (!ram)
        return;
    fill(ram, 0, 0x11);
    fill(ram, 7, 0x22);
    ram[4000u * PAGE + 5] = 0x33;
    fill(ram, 100, 0); /* touched, but zero: not held */
    char err[128] = "";
    struct ram_copy c;
    CHECK_EQ(ram_copy_take(&c, ram, NULL, RAM_SIZE, err, sizeof(err)), 0);
    CHECK_EQ(c.npages, 3);
    CHECK_EQ(c.index[0], 0);
    CHECK_EQ(c.index[1], 7);
    CHECK_EQ(c.index[2], 4000);
    CHECK_EQ(c.data[2 * PAGE + 5], 0x33);
    ram_copy_free(&c);
    munmap(ram, RAM_SIZE);
}

/* Changed, new and cleared pages all come back; twice from the same copy gives the same. */
static void apply_brings_every_page_back(void)
{
    uint8_t *ram = map_ram();
    CHECK(ram != NULL);
    if (!ram)
        return;
    fill(ram, 1, 0xA1);
    fill(ram, 2, 0xA2);
    char err[128] = "";
    struct ram_copy c;
    CHECK_EQ(ram_copy_take(&c, ram, NULL, RAM_SIZE, err, sizeof(err)), 0);
    for (int round = 0; round < 2; round++) {
        ram[1 * PAGE + 17] = 0x5A; /* changed */
        fill(ram, 2, 0);           /* cleared */
        fill(ram, 3, 0xC3);        /* new */
        fill(ram, 4, 0xC4);        /* new, next to the other */
        fill(ram, 9, 0xC9);        /* new, elsewhere */
        uint64_t written = 0;
        CHECK_EQ(ram_copy_apply(&c, ram, NULL, RAM_SIZE, &written, err, sizeof(err)), 0);
        CHECK_EQ(written, 5);
        /* The new pages were given back, not just zeroed: only the held ones are resident. */
        CHECK_EQ(resident(ram), 2);
        CHECK_EQ(ram[1 * PAGE + 17], 0xA1);
        CHECK_EQ(ram[2 * PAGE + PAGE - 1], 0xA2);
        CHECK_EQ(ram[3 * PAGE], 0);
        CHECK_EQ(ram[4 * PAGE + 100], 0);
        CHECK_EQ(ram[9 * PAGE + 4095], 0);
    }
    /* Nothing changed: nothing written. */
    uint64_t written = 1;
    CHECK_EQ(ram_copy_apply(&c, ram, NULL, RAM_SIZE, &written, err, sizeof(err)), 0);
    CHECK_EQ(written, 0);
    ram_copy_free(&c);
    munmap(ram, RAM_SIZE);
}

static void size_mismatch_is_refused(void)
{
    uint8_t *ram = map_ram();
    CHECK(ram != NULL);
    if (!ram)
        return;
    fill(ram, 5, 0x55);
    char err[128] = "";
    struct ram_copy c;
    CHECK_EQ(ram_copy_take(&c, ram, NULL, RAM_SIZE, err, sizeof(err)), 0);
    uint64_t written = 0;
    CHECK_EQ(ram_copy_apply(&c, ram, NULL, RAM_SIZE / 2, &written, err, sizeof(err)), -1);
    CHECK(strstr(err, "MiB") != NULL);
    CHECK_EQ(ram[5 * PAGE], 0x55);
    ram_copy_free(&c);
    CHECK_EQ(ram_copy_take(&c, ram, NULL, RAM_SIZE - 1, err, sizeof(err)), -1);
    CHECK(strstr(err, "whole number of pages") != NULL);
    ram_copy_free(&c);
    munmap(ram, RAM_SIZE);
}

/* RAM mapped privately from a file (a snapshot file's RAM): untouched pages read as the file,
 * so only pages that differ from it are held, and giving a page back returns the file's bytes. */
static void file_backed_pages_come_back_as_the_file(void)
{
    char path[] = "/tmp/kvmstub-test-ramXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    unlink(path);
    CHECK_EQ(ftruncate(fd, RAM_SIZE), 0);
    uint8_t page[PAGE];
    memset(page, 0xF1, PAGE);
    CHECK_EQ(pwrite(fd, page, PAGE, 10 * PAGE), PAGE);
    memset(page, 0xF2, PAGE);
    CHECK_EQ(pwrite(fd, page, PAGE, 11 * PAGE), PAGE);
    uint8_t *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    const uint8_t *backing = mmap(NULL, RAM_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    CHECK(ram != MAP_FAILED && backing != MAP_FAILED);
    if (ram == MAP_FAILED || backing == MAP_FAILED)
        return;
    CHECK_EQ(ram[10 * PAGE], 0xF1); /* the file's page, now resident and as its backing */
    ram[11 * PAGE + 1] = 0x77;      /* differs from the file */
    fill(ram, 12, 0x12);            /* differs from the file (zero there) */
    char err[128] = "";
    struct ram_copy c;
    CHECK_EQ(ram_copy_take(&c, ram, backing, RAM_SIZE, err, sizeof(err)), 0);
    CHECK_EQ(c.npages, 2);
    CHECK_EQ(c.index[0], 11);
    CHECK_EQ(c.index[1], 12);
    fill(ram, 10, 0x10); /* was as the file: given back, the file's bytes return */
    fill(ram, 11, 0x11); /* held: written back */
    fill(ram, 13, 0x13); /* new: given back, zero as in the file */
    uint64_t written = 0;
    CHECK_EQ(ram_copy_apply(&c, ram, backing, RAM_SIZE, &written, err, sizeof(err)), 0);
    CHECK_EQ(written, 3);
    CHECK_EQ(ram[10 * PAGE + 9], 0xF1);
    CHECK_EQ(ram[11 * PAGE + 1], 0x77);
    CHECK_EQ(ram[11 * PAGE + 2], 0xF2);
    CHECK_EQ(ram[12 * PAGE], 0x12);
    CHECK_EQ(ram[13 * PAGE], 0);
    ram_copy_free(&c);
    munmap(ram, RAM_SIZE);
    munmap((void *)backing, RAM_SIZE);
}

int main(void)
{
    RUN(copy_holds_only_touched_pages);
    RUN(apply_brings_every_page_back);
    RUN(size_mismatch_is_refused);
    RUN(file_backed_pages_come_back_as_the_file);
    return CHECK_DONE();
}
