/* loader/linux_cmdline.c — kernel command line defaults and the debugger's nokaslr. */
#include "loader/linux_cmdline.h"

#include <stdio.h>
#include <string.h>

void linux_cmdline_build(char *buf, size_t size, const char *user, bool debugger)
{
    const char *base = user ? user : LINUX_CMDLINE_DEFAULT;
    bool add_nokaslr = debugger && !strstr(base, "kaslr");
    snprintf(buf, size, "%s%s%s", base, *base && add_nokaslr ? " " : "",
             add_nokaslr ? "nokaslr" : "");
}
