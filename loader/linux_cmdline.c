/* loader/linux_cmdline.c — kernel command line defaults and what kvmstub adds to it. */
#include "loader/linux_cmdline.h"

#include <stdio.h>
#include <string.h>

static void cmdline_append(char *buf, size_t size, const char *word)
{
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, "%s%s", len ? " " : "", word);
}

void linux_cmdline_build(char *buf, size_t size, const char *user, bool debugger,
                         bool emulating_host)
{
    snprintf(buf, size, "%s", user ? user : LINUX_CMDLINE_DEFAULT);
    if (debugger && !strstr(buf, "kaslr"))
        cmdline_append(buf, size, "nokaslr");
    if (emulating_host)
        cmdline_append(buf, size, LINUX_CMDLINE_EMULATING_HOST);
}
