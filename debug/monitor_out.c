/* debug/monitor_out.c — one line of a monitor command's output. */
#include "debug/monitor_out.h"

#include <stdio.h>

void monitor_vsay(target_print_fn print, void *ctx, const char *fmt, va_list ap)
{
    char line[MONITOR_LINE];
    int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    if (n < 0)
        return;
    if (n > (int)sizeof(line) - 2)
        n = sizeof(line) - 2;
    line[n] = '\n';
    line[n + 1] = 0;
    print(ctx, line);
}

void monitor_say(target_print_fn print, void *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    monitor_vsay(print, ctx, fmt, ap);
    va_end(ap);
}
