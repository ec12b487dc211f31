/* stub/regs.h — the register layouts gdb is told about, and g/G/p/P conversion.
 *
 * One layout per enum target_arch: the register list (names, sizes, where each one lives in
 * struct x86_regs), the target.xml that describes it, and the numbers of pc, sp and fp for
 * expedited stop replies. Register number n is the n-th register of the layout; the 'g' packet
 * is every register in that order, each little-endian. Writes of a register narrower than its
 * struct x86_regs field change only the low bytes of the field.
 */
#ifndef KVMSTUB_STUB_REGS_H
#define KVMSTUB_STUB_REGS_H

#include "stub/target.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct regs_layout;

/* The layout for an architecture, or NULL for a value outside enum target_arch. */
const struct regs_layout *regs_layout_get(enum target_arch arch);

int regs_count(const struct regs_layout *l);
/* Bytes of all registers ('g' payload is twice this many hex digits). */
size_t regs_g_size(const struct regs_layout *l);
/* Bytes of register n, or 0 when there is no such register. */
size_t regs_size(const struct regs_layout *l, int n);
const char *regs_name(const struct regs_layout *l, int n);
/* Register numbers of the program counter, stack pointer and frame pointer. */
int regs_pc(const struct regs_layout *l);
int regs_sp(const struct regs_layout *l);
int regs_fp(const struct regs_layout *l);

/* 'g': write 2 * regs_g_size() hex digits. */
void regs_encode_g(const struct regs_layout *l, const struct x86_regs *r, char *hex);
/* 'G': exactly 2 * regs_g_size() hex digits; false (r unchanged) otherwise. */
bool regs_decode_g(const struct regs_layout *l, struct x86_regs *r, const char *hex, size_t len);
/* 'p': write 2 * regs_size(n) hex digits; false when n is out of range. */
bool regs_encode_p(const struct regs_layout *l, const struct x86_regs *r, int n, char *hex);
/* The value of register n (its low 64 bits, as agent expressions see it); false when the
 * layout has no such register. */
bool regs_value(const struct regs_layout *l, const struct x86_regs *r, int n, uint64_t *value);
/* Whether register n lives in what target_ops.read_core_regs fills (general registers, the
 * instruction pointer, flags, segment selectors). */
bool regs_is_core(const struct regs_layout *l, int n);
/* 'P': exactly 2 * regs_size(n) hex digits; false (r unchanged) otherwise. */
bool regs_decode_p(const struct regs_layout *l, struct x86_regs *r, int n, const char *hex,
                   size_t len);

/* The target description as a malloc'd NUL-terminated string (length in *len), or NULL. */
char *regs_target_xml(const struct regs_layout *l, size_t *len);

#endif
