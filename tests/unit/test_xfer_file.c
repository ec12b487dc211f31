/* tests/unit/test_xfer_file.c — what gdb reads besides memory and registers, against the fake
 * target: the thread list with names and states (qXfer:threads), the booted image's path
 * (qXfer:exec-file) and the image itself through read-only vFile, which serves that one file
 * and refuses every other path, every write, bad fds and malformed input.
 */
#include "stub/hex.h"
#include "stub/session.h"
#include "tests/unit/check.h"
#include "tests/unit/harness.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

/* The file the fake target "booted": 3000 bytes, byte i = i * 7 (with '$', '#', '}' in it). */
#define IMAGE_SIZE 3000

struct image_file {
    char path[PATH_MAX];
    uint8_t bytes[IMAGE_SIZE];
};

static void image_make(struct image_file *img)
{
    char tmpl[] = "/tmp/kvmstub-xfer-XXXXXX";
    int fd = mkstemp(tmpl);
    CHECK(fd >= 0);
    for (int i = 0; i < IMAGE_SIZE; i++)
        img->bytes[i] = (uint8_t)(i * 7);
    CHECK(fd >= 0 && write(fd, img->bytes, IMAGE_SIZE) == IMAGE_SIZE);
    if (fd >= 0)
        close(fd);
    CHECK(realpath(tmpl, img->path) != NULL);
}

static struct harness *new_session(int nthreads, const struct image_file *img)
{
    struct harness *h = harness_new(TARGET_ARCH_X86_64, nthreads);
    if (img)
        snprintf(h->ft.exec_file, sizeof(h->ft.exec_file), "%s", img->path);
    harness_no_ack(h);
    return h;
}

/* "vFile:open:HEX(path),flags,mode" */
static const char *vfile_open(struct harness *h, const char *path, int flags)
{
    static char cmd[2 * PATH_MAX + 64];
    int n = snprintf(cmd, sizeof(cmd), "vFile:open:");
    hex_encode(cmd + n, path, strlen(path));
    snprintf(cmd + n + 2 * strlen(path), sizeof(cmd) - (size_t)n - 2 * strlen(path), ",%x,1a4",
             (unsigned)flags);
    return harness_cmd(h, cmd);
}

static void test_threads_xml_names_and_states(void)
{
    struct harness *h = new_session(2, NULL);
    h->ft.halted[1] = true;
    const char *r = harness_cmd(h, "qSupported");
    CHECK(r && strstr(r, "qXfer:threads:read+") != NULL);
    CHECK(r && strstr(r, "qXfer:exec-file:read+") == NULL); /* no file: not offered */
    r = harness_cmd(h, "qXfer:threads:read::0,1000");
    CHECK(r && r[0] == 'l');
    CHECK(r && strstr(r, "<thread id=\"1\" name=\"CPU 0\">fake mode, stopped</thread>") != NULL);
    CHECK(r && strstr(r, "<thread id=\"2\" name=\"CPU 1\">fake mode, halted</thread>") != NULL);
    CHECK(r && strstr(r, "</threads>") != NULL);
    /* in chunks: the snapshot taken at offset 0 serves the rest */
    r = harness_cmd(h, "qXfer:threads:read::0,10");
    CHECK(r && r[0] == 'm' && h->reply_len == 0x11);
    h->ft.halted[1] = false;
    r = harness_cmd(h, "qXfer:threads:read::10,1000");
    CHECK(r && r[0] == 'l' && strstr(r, "fake mode, halted") != NULL);
    CHECK_STR(harness_cmd(h, "qXfer:threads:read::ffff,10"), "l");
    CHECK_STR(harness_cmd(h, "qXfer:threads:read:annex:0,10"), "E00");
    CHECK_STR(harness_cmd(h, "qXfer:threads:read::zz,10"), "E16");
    /* a target without thread_info: not offered, not served */
    h->ft.ops.thread_info = NULL;
    harness_reattach(h);
    harness_no_ack(h);
    r = harness_cmd(h, "qSupported");
    CHECK(r && strstr(r, "qXfer:threads:read+") == NULL);
    CHECK_STR(harness_cmd(h, "qXfer:threads:read::0,10"), "");
    harness_free(h);
}

static void test_exec_file_names_the_booted_image(void)
{
    struct image_file img;
    image_make(&img);
    struct harness *h = new_session(1, &img);
    const char *r = harness_cmd(h, "qSupported");
    CHECK(r && strstr(r, "qXfer:exec-file:read+") != NULL);
    char want[PATH_MAX + 2];
    snprintf(want, sizeof(want), "l%s", img.path);
    CHECK_STR(harness_cmd(h, "qXfer:exec-file:read::0,1000"), want);
    CHECK_STR(harness_cmd(h, "qXfer:exec-file:read:1:0,1000"), want); /* a pid annex */
    snprintf(want, sizeof(want), "m%.4s", img.path);
    CHECK_STR(harness_cmd(h, "qXfer:exec-file:read::0,4"), want);
    CHECK_STR(harness_cmd(h, "qXfer:exec-file:read:xyz:0,10"), "E00");
    CHECK_STR(harness_cmd(h, "qXfer:exec-file:read::0"), "E16");
    unlink(img.path);
    harness_free(h);
}

static void test_vfile_reads_the_image_and_nothing_else(void)
{
    struct image_file img;
    image_make(&img);
    struct harness *h = new_session(1, &img);
    CHECK_STR(harness_cmd(h, "vFile:setfs:0"), "F0");
    CHECK_STR(vfile_open(h, img.path, 0), "F0");
    CHECK_STR(vfile_open(h, img.path, 0), "F1"); /* a second fd for the same file */
    /* the whole file in chunks, escapes undone by the decoder */
    uint8_t got[IMAGE_SIZE];
    size_t off = 0;
    while (off < IMAGE_SIZE) {
        char cmd[64];
        snprintf(cmd, sizeof(cmd), "vFile:pread:0,200,%zx", off);
        const char *r = harness_cmd(h, cmd);
        const char *semi = r ? memchr(r, ';', h->reply_len) : NULL;
        CHECK(r && r[0] == 'F' && semi);
        if (!semi)
            break;
        size_t n = strtoul(r + 1, NULL, 16);
        CHECK_EQ(n, (size_t)(h->reply_len - (size_t)(semi + 1 - r)));
        CHECK(n > 0 && off + n <= IMAGE_SIZE);
        if (n == 0 || off + n > IMAGE_SIZE)
            break;
        memcpy(got + off, semi + 1, n);
        off += n;
    }
    CHECK(off == IMAGE_SIZE && memcmp(got, img.bytes, IMAGE_SIZE) == 0);
    CHECK_STR(harness_cmd(h, "vFile:pread:0,10,bb8"), "F0;");                 /* at the end */
    CHECK_STR(harness_cmd(h, "vFile:pread:0,10,ffffffffffffffff"), "F-1,16"); /* EINVAL */
    /* a huge count is cut to what a packet holds */
    const char *r = harness_cmd(h, "vFile:pread:1,ffffffffffffffff,0");
    CHECK(r && strncmp(r, "Fbb8;", 5) == 0);
    /* fstat: struct fio_stat, big-endian, st_size at offset 28 */
    r = harness_cmd(h, "vFile:fstat:0");
    CHECK(r && h->reply_len == 4 + 64 && strncmp(r, "F40;", 4) == 0);
    if (r && h->reply_len == 68) {
        const uint8_t *st = (const uint8_t *)r + 4;
        uint64_t size = 0;
        for (int i = 0; i < 8; i++)
            size = size << 8 | st[28 + i];
        CHECK_EQ(size, IMAGE_SIZE);
        CHECK_EQ(st[8 + 2] & 0xf0, 0x80); /* st_mode: a regular file (S_IFREG 0100000) */
    }
    CHECK_STR(harness_cmd(h, "vFile:close:0"), "F0");
    CHECK_STR(harness_cmd(h, "vFile:close:0"), "F-1,9"); /* EBADF */
    CHECK_STR(harness_cmd(h, "vFile:pread:0,10,0"), "F-1,9");
    CHECK_STR(harness_cmd(h, "vFile:fstat:0"), "F-1,9");
    CHECK_STR(harness_cmd(h, "vFile:pread:ffffffff,10,0"), "F-1,9");
    CHECK_STR(harness_cmd(h, "vFile:close:1"), "F0");
    unlink(img.path);
    harness_free(h);
}

static void test_vfile_refuses_other_paths_writes_and_bad_input(void)
{
    struct image_file img;
    image_make(&img);
    struct harness *h = new_session(1, &img);
    CHECK_STR(vfile_open(h, "/etc/passwd", 0), "F-1,d"); /* EACCES */
    CHECK_STR(vfile_open(h, img.path, 1), "F-1,d");      /* O_WRONLY */
    CHECK_STR(vfile_open(h, img.path, 0x202), "F-1,d");  /* O_RDWR|O_CREAT */
    char longer[PATH_MAX + 8];
    snprintf(longer, sizeof(longer), "%s/../%s", img.path, strrchr(img.path, '/') + 1);
    CHECK_STR(vfile_open(h, longer, 0), "F-1,d"); /* the same file by another name */
    char prefix[PATH_MAX];
    snprintf(prefix, sizeof(prefix), "%.*s", (int)strlen(img.path) - 1, img.path);
    CHECK_STR(vfile_open(h, prefix, 0), "F-1,d");
    CHECK_STR(harness_cmd(h, "vFile:open:2f6,0,0"), "F-1,16"); /* odd hex */
    CHECK_STR(harness_cmd(h, "vFile:open:zz,0,0"), "F-1,16");  /* not hex */
    CHECK_STR(harness_cmd(h, "vFile:open:2f00,0,0"), "F-1,d"); /* a NUL in the name */
    CHECK_STR(harness_cmd(h, "vFile:open:2f,0"), "E16");       /* malformed */
    CHECK_STR(harness_cmd(h, "vFile:pread:0,10"), "E16");
    CHECK_STR(harness_cmd(h, "vFile:close:"), "E16");
    /* a name longer than any path */
    static char huge[2 * PATH_MAX + 64];
    int n = snprintf(huge, sizeof(huge), "vFile:open:");
    for (int i = 0; i < PATH_MAX + 4; i++)
        memcpy(huge + n + 2 * i, "61", 2);
    snprintf(huge + n + 2 * (PATH_MAX + 4), 16, ",0,0");
    CHECK_STR(harness_cmd(h, huge), "F-1,16");
    /* the fd table fills up, and frees */
    for (int i = 0; i < 8; i++)
        CHECK(vfile_open(h, img.path, 0)[0] == 'F');
    CHECK_STR(vfile_open(h, img.path, 0), "F-1,18"); /* EMFILE */
    CHECK_STR(harness_cmd(h, "vFile:close:7"), "F0");
    CHECK_STR(vfile_open(h, img.path, 0), "F7");
    CHECK_STR(harness_cmd(h, "vFile:unlink:2f"), ""); /* not served */
    CHECK_STR(harness_cmd(h, "vFile:pwrite:0,0,41"), "");
    harness_free(h); /* closes what is open */
    /* a target that booted nothing: vFile is not served */
    h = new_session(1, NULL);
    CHECK_STR(vfile_open(h, img.path, 0), "");
    CHECK_STR(harness_cmd(h, "qXfer:exec-file:read::0,10"), "");
    unlink(img.path);
    harness_free(h);
}

int main(void)
{
    RUN(test_threads_xml_names_and_states);
    RUN(test_exec_file_names_the_booted_image);
    RUN(test_vfile_reads_the_image_and_nothing_else);
    RUN(test_vfile_refuses_other_paths_writes_and_bad_input);
    return CHECK_DONE();
}
