/* base/diag.c — formatting of kvmstub's diagnostics (one write per message, thread-safe). */
#include "base/diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void diag_emit(const char *fmt, va_list ap, int err)
{
    char buf[1024];
    int n = snprintf(buf, sizeof(buf), "kvmstub: ");
    n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
    if (n > (int)sizeof(buf) - 2)
        n = sizeof(buf) - 2;
    if (err)
        n += snprintf(buf + n, sizeof(buf) - n, ": %s", strerror(err));
    if (n > (int)sizeof(buf) - 2)
        n = sizeof(buf) - 2;
    buf[n++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, buf, n);
    (void)ignored;
}

void diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_emit(fmt, ap, 0);
    va_end(ap);
}

int diag_errno(const char *fmt, ...)
{
    int err = errno;
    va_list ap;
    va_start(ap, fmt);
    diag_emit(fmt, ap, err);
    va_end(ap);
    errno = err;
    return -1;
}
