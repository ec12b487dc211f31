/* debug/monitor_out.h — one line of a monitor command's output: formatted, cut to fit a line,
 * ended with a newline, handed to gdb's console through print. */
#ifndef KVMSTUB_DEBUG_MONITOR_OUT_H
#define KVMSTUB_DEBUG_MONITOR_OUT_H

#include <stdarg.h>

#include "stub/target.h"

#define MONITOR_LINE 256

void monitor_vsay(target_print_fn print, void *ctx, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
void monitor_say(target_print_fn print, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
