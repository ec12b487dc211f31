/* base/diag.h — kvmstub's own messages: always on stderr, always prefixed "kvmstub: ". */
#ifndef KVMSTUB_BASE_DIAG_H
#define KVMSTUB_BASE_DIAG_H

/* Print "kvmstub: <message>\n". */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "kvmstub: <message>: <strerror(errno)>\n" and return -1, for `return diag_errno(...)`. */
int diag_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
