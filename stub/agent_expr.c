/* stub/agent_expr.c — the agent-expression interpreter (stub/agent_expr.h). */
#include "stub/agent_expr.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Bytecodes, numbered as gdb encodes them (the GDB manual, "Bytecode Descriptions"). */
enum ax_op {
    AX_FLOAT = 0x01,
    AX_ADD = 0x02,
    AX_SUB = 0x03,
    AX_MUL = 0x04,
    AX_DIV_SIGNED = 0x05,
    AX_DIV_UNSIGNED = 0x06,
    AX_REM_SIGNED = 0x07,
    AX_REM_UNSIGNED = 0x08,
    AX_LSH = 0x09,
    AX_RSH_SIGNED = 0x0a,
    AX_RSH_UNSIGNED = 0x0b,
    AX_TRACE = 0x0c,
    AX_TRACE_QUICK = 0x0d,
    AX_LOG_NOT = 0x0e,
    AX_BIT_AND = 0x0f,
    AX_BIT_OR = 0x10,
    AX_BIT_XOR = 0x11,
    AX_BIT_NOT = 0x12,
    AX_EQUAL = 0x13,
    AX_LESS_SIGNED = 0x14,
    AX_LESS_UNSIGNED = 0x15,
    AX_EXT = 0x16,
    AX_REF8 = 0x17,
    AX_REF16 = 0x18,
    AX_REF32 = 0x19,
    AX_REF64 = 0x1a,
    AX_IF_GOTO = 0x20,
    AX_GOTO = 0x21,
    AX_CONST8 = 0x22,
    AX_CONST16 = 0x23,
    AX_CONST32 = 0x24,
    AX_CONST64 = 0x25,
    AX_REG = 0x26,
    AX_END = 0x27,
    AX_DUP = 0x28,
    AX_POP = 0x29,
    AX_ZERO_EXT = 0x2a,
    AX_SWAP = 0x2b,
    AX_TRACEV = 0x2e,
    AX_TRACENZ = 0x2f,
    AX_TRACE16 = 0x30,
    AX_PICK = 0x32,
    AX_ROT = 0x33,
    AX_PRINTF = 0x34,
};

#define AX_STRING_MAX 256 /* bytes a printf %s reads from guest memory */

struct ax_machine {
    const uint8_t *code;
    size_t len, pc;
    uint64_t stack[AX_STACK_MAX];
    int sp; /* values on the stack */
    const struct ax_env *env;
};

const char *ax_status_text(enum ax_status st)
{
    static const char *const text[] = {
        [AX_OK] = "ok",
        [AX_ERR_EMPTY] = "the expression is empty or has no end",
        [AX_ERR_TRUNCATED] = "an operand runs past the end of the expression",
        [AX_ERR_OPCODE] = "an unknown or unsupported bytecode",
        [AX_ERR_UNDERFLOW] = "stack underflow",
        [AX_ERR_OVERFLOW] = "stack overflow",
        [AX_ERR_DIV_ZERO] = "division by zero",
        [AX_ERR_JUMP] = "a jump outside the expression",
        [AX_ERR_STEPS] = "too many bytecodes run (a loop?)",
        [AX_ERR_REGISTER] = "no such register",
        [AX_ERR_MEMORY] = "memory that cannot be read",
        [AX_ERR_FORMAT] = "a bad printf format",
    };
    return (unsigned)st < sizeof(text) / sizeof(text[0]) ? text[st] : "?";
}

/* An operand of n bytes, big-endian, at the pc. */
static enum ax_status ax_operand(struct ax_machine *m, unsigned n, uint64_t *v)
{
    if (m->len - m->pc < n)
        return AX_ERR_TRUNCATED;
    *v = 0;
    for (unsigned i = 0; i < n; i++)
        *v = *v << 8 | m->code[m->pc++];
    return AX_OK;
}

static enum ax_status ax_push(struct ax_machine *m, uint64_t v)
{
    if (m->sp == AX_STACK_MAX)
        return AX_ERR_OVERFLOW;
    m->stack[m->sp++] = v;
    return AX_OK;
}

static enum ax_status ax_pop(struct ax_machine *m, uint64_t *v)
{
    if (m->sp == 0)
        return AX_ERR_UNDERFLOW;
    *v = m->stack[--m->sp];
    return AX_OK;
}

static uint64_t ax_sign_extend(uint64_t v, unsigned bits)
{
    if (bits == 0 || bits >= 64)
        return v;
    uint64_t sign = 1ULL << (bits - 1), mask = (1ULL << bits) - 1;
    v &= mask;
    return (v ^ sign) - sign;
}

static uint64_t ax_zero_extend(uint64_t v, unsigned bits)
{
    return bits == 0 || bits >= 64 ? v : v & ((1ULL << bits) - 1);
}

/* a OP b for the two-operand bytecodes. */
static enum ax_status ax_binary(uint8_t op, uint64_t a, uint64_t b, uint64_t *r)
{
    int64_t sa = (int64_t)a, sb = (int64_t)b;
    switch (op) {
    case AX_ADD: *r = a + b; break;
    case AX_SUB: *r = a - b; break;
    case AX_MUL: *r = a * b; break;
    case AX_DIV_SIGNED:
    case AX_REM_SIGNED:
        if (b == 0)
            return AX_ERR_DIV_ZERO;
        if (sa == INT64_MIN && sb == -1) /* overflows in C: the result x86 would give */
            *r = op == AX_DIV_SIGNED ? a : 0;
        else
            *r = (uint64_t)(op == AX_DIV_SIGNED ? sa / sb : sa % sb);
        break;
    case AX_DIV_UNSIGNED:
    case AX_REM_UNSIGNED:
        if (b == 0)
            return AX_ERR_DIV_ZERO;
        *r = op == AX_DIV_UNSIGNED ? a / b : a % b;
        break;
    case AX_LSH: *r = b >= 64 ? 0 : a << b; break;
    case AX_RSH_SIGNED: /* arithmetic: the sign bit fills in (no shift of a negative value) */
        *r = b >= 64 ? (sa < 0 ? UINT64_MAX : 0) : sa < 0 ? ~(~a >> b) : a >> b;
        break;
    case AX_RSH_UNSIGNED: *r = b >= 64 ? 0 : a >> b; break;
    case AX_BIT_AND: *r = a & b; break;
    case AX_BIT_OR: *r = a | b; break;
    case AX_BIT_XOR: *r = a ^ b; break;
    case AX_EQUAL: *r = a == b; break;
    case AX_LESS_SIGNED: *r = sa < sb; break;
    case AX_LESS_UNSIGNED: *r = a < b; break;
    default: return AX_ERR_OPCODE;
    }
    return AX_OK;
}

static enum ax_status ax_ref(struct ax_machine *m, unsigned size)
{
    uint64_t addr, v = 0;
    enum ax_status st = ax_pop(m, &addr);
    if (st != AX_OK)
        return st;
    if (!m->env->mem || !m->env->mem(m->env->ctx, addr, &v, size))
        return AX_ERR_MEMORY;
    return ax_push(m, v); /* little-endian bytes into a zeroed value: zero-extended */
}

/* One printf conversion of the format at *f (just past the '%') with arg, appended to out. */
static enum ax_status ax_convert(struct ax_machine *m, const char **f, uint64_t arg, char *out,
                                 size_t *used, size_t cap)
{
    char spec[32] = "%";
    size_t n = 1;
    const char *p = *f;
    while (*p && strchr("-+ #0", *p) && n < 8)
        spec[n++] = *p++;
    while (*p >= '0' && *p <= '9' && n < 16)
        spec[n++] = *p++;
    if (*p == '.') {
        spec[n++] = *p++;
        while (*p >= '0' && *p <= '9' && n < 24)
            spec[n++] = *p++;
    }
    while (*p && strchr("hlzjt", *p))
        p++; /* the value is 64 bits whatever the length modifier says */
    char conv = *p;
    if (!conv || !strchr("diuxXocsp", conv))
        return AX_ERR_FORMAT;
    *f = p + 1;
    char text[AX_STRING_MAX + 1];
    int w;
    if (conv == 's') {
        size_t k = 0;
        for (; k < AX_STRING_MAX; k++)
            if (!m->env->mem || !m->env->mem(m->env->ctx, arg + k, &text[k], 1) || !text[k])
                break;
        text[k] = 0;
        spec[n++] = 's';
        spec[n] = 0;
        w = snprintf(out + *used, cap - *used, spec, text);
    } else if (conv == 'c') {
        spec[n++] = 'c';
        spec[n] = 0;
        w = snprintf(out + *used, cap - *used, spec, (int)(unsigned char)arg);
    } else if (conv == 'p') {
        w = snprintf(out + *used, cap - *used, "0x%" PRIx64, arg);
    } else {
        const char *len_mod = conv == 'd' || conv == 'i' ? PRId64
                              : conv == 'u'              ? PRIu64
                              : conv == 'o'              ? PRIo64
                              : conv == 'x'              ? PRIx64
                                                         : PRIX64;
        snprintf(spec + n, sizeof(spec) - n, "%s", len_mod);
        w = snprintf(out + *used, cap - *used, spec, arg);
    }
    if (w > 0)
        *used = *used + (size_t)w < cap ? *used + (size_t)w : cap - 1;
    return AX_OK;
}

/* The character a backslash escape of a printf format stands for (as gdb's printf reads
 * them), or 0 for one it does not know. */
static char ax_escape(char c)
{
    static const char from[] = "\\\"abefnrtv", to[] = "\\\"\a\b\033\f\n\r\t\v";
    const char *p = c ? strchr(from, c) : NULL;
    return p ? to[p - from] : 0;
}

static enum ax_status ax_printf(struct ax_machine *m)
{
    uint64_t nargs, slen, fn, chan;
    enum ax_status st;
    if ((st = ax_operand(m, 1, &nargs)) != AX_OK || (st = ax_operand(m, 2, &slen)) != AX_OK)
        return st;
    if (slen == 0 || m->len - m->pc < slen)
        return AX_ERR_TRUNCATED;
    const char *format = (const char *)m->code + m->pc;
    m->pc += slen;
    if (format[slen - 1] != '\0')
        return AX_ERR_FORMAT;
    if ((st = ax_pop(m, &fn)) != AX_OK || (st = ax_pop(m, &chan)) != AX_OK)
        return st;
    uint64_t args[AX_STACK_MAX];
    if (nargs > (uint64_t)m->sp)
        return AX_ERR_UNDERFLOW;
    for (uint64_t i = 0; i < nargs; i++)
        ax_pop(m, &args[i]);
    char out[AX_PRINTF_MAX];
    size_t used = 0;
    uint64_t next = 0;
    for (const char *f = format; *f;) {
        if (*f == '\\') { /* gdb sends the format as typed: escapes are ours to read */
            char c = ax_escape(f[1]);
            if (!c)
                return AX_ERR_FORMAT;
            if (used + 1 < sizeof(out))
                out[used++] = c;
            f += 2;
            continue;
        }
        if (*f != '%' || f[1] == '%') {
            if (used + 1 < sizeof(out))
                out[used++] = *f;
            f += *f == '%' ? 2 : 1;
            continue;
        }
        f++;
        if (next == nargs)
            return AX_ERR_FORMAT;
        if ((st = ax_convert(m, &f, args[next++], out, &used, sizeof(out))) != AX_OK)
            return st;
    }
    out[used] = 0;
    if (m->env->print)
        m->env->print(m->env->ctx, out);
    return AX_OK;
}

/* The bytecodes that move values on the stack, push operands or registers, or read memory. */
static enum ax_status ax_step(struct ax_machine *m, uint8_t op, bool *done)
{
    uint64_t a, b, c, v;
    enum ax_status st = AX_OK;
    switch (op) {
    case AX_END: *done = true; return AX_OK;
    case AX_LOG_NOT:
    case AX_BIT_NOT:
        if ((st = ax_pop(m, &a)) != AX_OK)
            return st;
        return ax_push(m, op == AX_LOG_NOT ? !a : ~a);
    case AX_EXT:
    case AX_ZERO_EXT:
        if ((st = ax_operand(m, 1, &b)) != AX_OK || (st = ax_pop(m, &a)) != AX_OK)
            return st;
        return ax_push(m, op == AX_EXT ? ax_sign_extend(a, (unsigned)b)
                                       : ax_zero_extend(a, (unsigned)b));
    case AX_REF8: return ax_ref(m, 1);
    case AX_REF16: return ax_ref(m, 2);
    case AX_REF32: return ax_ref(m, 4);
    case AX_REF64: return ax_ref(m, 8);
    case AX_IF_GOTO:
    case AX_GOTO:
        if ((st = ax_operand(m, 2, &b)) != AX_OK)
            return st;
        if (op == AX_IF_GOTO && (st = ax_pop(m, &a)) != AX_OK)
            return st;
        if (op == AX_GOTO || a != 0) {
            if (b >= m->len)
                return AX_ERR_JUMP;
            m->pc = (size_t)b;
        }
        return AX_OK;
    case AX_CONST8:
    case AX_CONST16:
    case AX_CONST32:
    case AX_CONST64:
        if ((st = ax_operand(m, 1u << (op - AX_CONST8), &v)) != AX_OK)
            return st;
        return ax_push(m, v);
    case AX_REG:
        if ((st = ax_operand(m, 2, &b)) != AX_OK)
            return st;
        if (!m->env->reg || !m->env->reg(m->env->ctx, (int)b, &v))
            return AX_ERR_REGISTER;
        return ax_push(m, v);
    case AX_DUP:
        if ((st = ax_pop(m, &a)) != AX_OK || (st = ax_push(m, a)) != AX_OK)
            return st;
        return ax_push(m, a);
    case AX_POP: return ax_pop(m, &a);
    case AX_SWAP:
        if ((st = ax_pop(m, &b)) != AX_OK || (st = ax_pop(m, &a)) != AX_OK)
            return st;
        ax_push(m, b);
        return ax_push(m, a);
    case AX_PICK:
        if ((st = ax_operand(m, 1, &b)) != AX_OK)
            return st;
        if (b >= (uint64_t)m->sp)
            return AX_ERR_UNDERFLOW;
        return ax_push(m, m->stack[m->sp - 1 - (int)b]);
    case AX_ROT: /* a b c => c a b */
        if ((st = ax_pop(m, &c)) != AX_OK || (st = ax_pop(m, &b)) != AX_OK ||
            (st = ax_pop(m, &a)) != AX_OK)
            return st;
        ax_push(m, c);
        ax_push(m, a);
        return ax_push(m, b);
    case AX_TRACE:
    case AX_TRACENZ: /* addr size => (collecting is for tracepoints: a no-op here) */
        if ((st = ax_pop(m, &a)) != AX_OK)
            return st;
        return ax_pop(m, &a);
    case AX_TRACE_QUICK: return ax_operand(m, 1, &a); /* addr => addr */
    case AX_TRACE16: return ax_operand(m, 2, &a);
    case AX_TRACEV: return ax_operand(m, 2, &a);
    case AX_PRINTF: return ax_printf(m);
    case AX_ADD:
    case AX_SUB:
    case AX_MUL:
    case AX_DIV_SIGNED:
    case AX_DIV_UNSIGNED:
    case AX_REM_SIGNED:
    case AX_REM_UNSIGNED:
    case AX_LSH:
    case AX_RSH_SIGNED:
    case AX_RSH_UNSIGNED:
    case AX_BIT_AND:
    case AX_BIT_OR:
    case AX_BIT_XOR:
    case AX_EQUAL:
    case AX_LESS_SIGNED:
    case AX_LESS_UNSIGNED:
        if ((st = ax_pop(m, &b)) != AX_OK || (st = ax_pop(m, &a)) != AX_OK)
            return st;
        if ((st = ax_binary(op, a, b, &v)) != AX_OK)
            return st;
        return ax_push(m, v);
    default: return AX_ERR_OPCODE; /* floating point, trace state variables, unknown */
    }
}

enum ax_status ax_eval(const uint8_t *code, size_t len, const struct ax_env *env, uint64_t *result)
{
    struct ax_machine m = {.code = code, .len = len, .env = env};
    *result = 0;
    if (!code || len == 0)
        return AX_ERR_EMPTY;
    for (long steps = 0; steps < AX_STEPS_MAX; steps++) {
        if (m.pc >= m.len)
            return AX_ERR_EMPTY; /* ran off the end without `end` */
        uint8_t op = code[m.pc++];
        bool done = false;
        enum ax_status st = ax_step(&m, op, &done);
        if (st != AX_OK)
            return st;
        if (done) {
            *result = m.sp ? m.stack[m.sp - 1] : 0;
            return AX_OK;
        }
    }
    return AX_ERR_STEPS;
}
