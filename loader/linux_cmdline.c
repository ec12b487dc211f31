/* loader/linux_cmdline.c — kernel command line defaults and what kvmstub adds to it. */
#include "loader/linux_cmdline.h"

#include <stdio.h>
#include <string.h>

/* False when the word does not fit (a cut word could mean something else to the kernel). */
static bool cmdline_append(char *buf, size_t size, const char *word)
{
    size_t len = strlen(buf);
    return (size_t)snprintf(buf + len, size - len, "%s%s", len ? " " : "", word) < size - len;
}

bool linux_cmdline_build(char *buf, size_t size, const char *user, bool debugger,
                         bool emulating_host)
{
    buf[0] = '\0';
    if (!cmdline_append(buf, size, user ? user : LINUX_CMDLINE_DEFAULT))
        return false;
    if (debugger && !strstr(buf, "kaslr") && !cmdline_append(buf, size, "nokaslr"))
        return false;
    return !emulating_host || cmdline_append(buf, size, LINUX_CMDLINE_EMULATING_HOST);
}
