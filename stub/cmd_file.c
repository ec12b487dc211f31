/* stub/cmd_file.c — vFile, gdb's host I/O, read-only and for one file: the one the target was
 * booted from (target_ops.exec_file), so that gdb with no file argument loads the guest's
 * symbols (qXfer:exec-file names it, gdb reads it as "target:PATH"). Any other path is refused
 * with EACCES, as is every write; reads are bounded by the packet size; gdb's fd numbers index
 * the session's own table, never the host's descriptors. Replies are "F" + result, or
 * "F-1,ERRNO" with gdb's File-I/O errno values.
 */
#include "stub/session_internal.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* gdb's File-I/O errno values (the remote protocol's, not the host's). */
enum fileio_errno {
    FILEIO_ENOENT = 2,
    FILEIO_EBADF = 9,
    FILEIO_EACCES = 13,
    FILEIO_EINVAL = 22,
    FILEIO_EMFILE = 24,
    FILEIO_EUNKNOWN = 9999,
};
/* gdb's File-I/O open flags: only O_RDONLY (0) is served. */
#define FILEIO_O_RDONLY 0
/* The most a pread returns: escaped, the reply still fits a packet. */
#define FILEIO_PREAD_MAX (SESSION_PACKET_SIZE / 2)
/* struct fio_stat: big-endian, 32-bit fields but for size, blksize and blocks (64-bit). */
#define FIO_STAT_SIZE 64

static void file_reply_error(struct session *s, enum fileio_errno err)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "F-1,%x", (unsigned)err);
    session_reply_str(s, buf);
}

static void file_reply_result(struct session *s, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "F%llx", (unsigned long long)v);
    session_reply_str(s, buf);
}

void cmd_file_init(struct session *s)
{
    for (int i = 0; i < SESSION_MAX_FILES; i++)
        s->files[i] = -1;
}

void cmd_file_close_all(struct session *s)
{
    for (int i = 0; i < SESSION_MAX_FILES; i++) {
        if (s->files[i] >= 0)
            close(s->files[i]);
        s->files[i] = -1;
    }
}

/* The host fd of gdb's fd number, or -1. */
static int file_fd(const struct session *s, uint64_t fd)
{
    return fd < SESSION_MAX_FILES ? s->files[fd] : -1;
}

/* vFile:setfs:PID — there is one filesystem, whatever the process. */
void cmd_file_setfs(struct session *s, const struct cmd_args *a, int arg)
{
    file_reply_result(s, 0);
}

/* vFile:open:PATH-HEX,FLAGS,MODE */
void cmd_file_open(struct session *s, const struct cmd_args *a, int arg)
{
    const struct cmd_arg *hex = &a->v[0];
    char path[PATH_MAX];
    if (hex->len % 2 || hex->len / 2 >= sizeof(path) || !hex_decode(path, hex->str, hex->len)) {
        file_reply_error(s, FILEIO_EINVAL);
        return;
    }
    path[hex->len / 2] = '\0';
    const char *allowed = s->target.ops->exec_file(s->target.ctx);
    /* Exactly the booted file's path (a NUL inside the name makes it shorter: refused). */
    if (!allowed || strlen(path) != hex->len / 2 || strcmp(path, allowed) != 0 ||
        a->v[1].u != FILEIO_O_RDONLY) {
        file_reply_error(s, FILEIO_EACCES);
        return;
    }
    int slot = 0;
    while (slot < SESSION_MAX_FILES && s->files[slot] >= 0)
        slot++;
    if (slot == SESSION_MAX_FILES) {
        file_reply_error(s, FILEIO_EMFILE);
        return;
    }
    /* Non-blocking and checked to be a regular file: a FIFO put in its place cannot hang us. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    struct stat st;
    if (fd < 0) {
        file_reply_error(s, errno == ENOENT ? FILEIO_ENOENT : FILEIO_EACCES);
        return;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        file_reply_error(s, FILEIO_EACCES);
        return;
    }
    s->files[slot] = fd;
    file_reply_result(s, (uint64_t)slot);
}

/* vFile:pread:FD,COUNT,OFFSET → "F" + bytes read + ";" + the bytes (binary). */
void cmd_file_pread(struct session *s, const struct cmd_args *a, int arg)
{
    int fd = file_fd(s, a->v[0].u);
    uint64_t count = a->v[1].u, off = a->v[2].u;
    if (fd < 0) {
        file_reply_error(s, FILEIO_EBADF);
        return;
    }
    if (off > INT64_MAX) {
        file_reply_error(s, FILEIO_EINVAL);
        return;
    }
    if (count > FILEIO_PREAD_MAX)
        count = FILEIO_PREAD_MAX;
    ssize_t n = pread(fd, s->scratch, (size_t)count, (off_t)off);
    if (n < 0) {
        file_reply_error(s, FILEIO_EUNKNOWN);
        return;
    }
    char head[32];
    int hl = snprintf(head, sizeof(head), "F%zx;", (size_t)n);
    packet_begin(&s->out);
    packet_put(&s->out, head, (size_t)hl);
    packet_put_binary(&s->out, s->scratch, (size_t)n);
    packet_end(&s->out);
}

/* vFile:close:FD */
void cmd_file_close(struct session *s, const struct cmd_args *a, int arg)
{
    int fd = file_fd(s, a->v[0].u);
    if (fd < 0) {
        file_reply_error(s, FILEIO_EBADF);
        return;
    }
    close(fd);
    s->files[a->v[0].u] = -1;
    file_reply_result(s, 0);
}

static uint8_t *put_be(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--)
        *p++ = (uint8_t)(v >> (8 * i));
    return p;
}

/* vFile:fstat:FD → "F40;" + struct fio_stat (binary). */
void cmd_file_fstat(struct session *s, const struct cmd_args *a, int arg)
{
    int fd = file_fd(s, a->v[0].u);
    struct stat st;
    if (fd < 0) {
        file_reply_error(s, FILEIO_EBADF);
        return;
    }
    if (fstat(fd, &st) < 0) {
        file_reply_error(s, FILEIO_EUNKNOWN);
        return;
    }
    uint8_t fio[FIO_STAT_SIZE], *p = fio;
    p = put_be(p, st.st_dev, 4);
    p = put_be(p, st.st_ino, 4);
    p = put_be(p, st.st_mode, 4);
    p = put_be(p, st.st_nlink, 4);
    p = put_be(p, st.st_uid, 4);
    p = put_be(p, st.st_gid, 4);
    p = put_be(p, st.st_rdev, 4);
    p = put_be(p, (uint64_t)st.st_size, 8);
    p = put_be(p, (uint64_t)st.st_blksize, 8);
    p = put_be(p, (uint64_t)st.st_blocks, 8);
    p = put_be(p, (uint64_t)st.st_atime, 4);
    p = put_be(p, (uint64_t)st.st_mtime, 4);
    put_be(p, (uint64_t)st.st_ctime, 4);
    char head[16];
    int hl = snprintf(head, sizeof(head), "F%x;", (unsigned)sizeof(fio));
    packet_begin(&s->out);
    packet_put(&s->out, head, (size_t)hl);
    packet_put_binary(&s->out, fio, sizeof(fio));
    packet_end(&s->out);
}
