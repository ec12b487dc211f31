/* stub/agent_expr.h — GDB's agent expressions: the bytecode gdb sends with a breakpoint for
 * the stub to evaluate itself (conditions, `Z0,ADDR,KIND;X LEN,BYTES`) or to run (commands:
 * dprintf with `set dprintf-style agent`). See the GDB manual, "Agent Expressions".
 *
 * Pure logic: registers, memory and printf output come through callbacks, so the interpreter
 * runs anywhere (a vCPU thread at a breakpoint, a unit test, a fuzzer). Integer bytecodes only
 * (floating point, trace and trace-state-variable bytecodes are errors, except that the
 * tracing ones are no-ops, as they are for gdbserver's conditions). Every input is bounded:
 * the stack holds AX_STACK_MAX values, an evaluation runs at most AX_STEPS_MAX bytecodes, and
 * malformed code (a truncated operand, a jump outside the expression, an unknown opcode) is an
 * error, never a crash.
 */
#ifndef KVMSTUB_STUB_AGENT_EXPR_H
#define KVMSTUB_STUB_AGENT_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AX_STACK_MAX  100
#define AX_STEPS_MAX  100000
#define AX_CODE_MAX   4096 /* longest expression accepted */
#define AX_PRINTF_MAX 1024 /* longest text one printf produces */

struct ax_env {
    void *ctx;
    /* The value of register n as numbered in the target description gdb was given. */
    bool (*reg)(void *ctx, int n, uint64_t *value);
    /* len bytes of memory at addr; false when not all of them can be read. */
    bool (*mem)(void *ctx, uint64_t addr, void *buf, size_t len);
    /* Text produced by printf (may be NULL: printf then only checks its format). */
    void (*print)(void *ctx, const char *text);
};

enum ax_status {
    AX_OK,
    AX_ERR_EMPTY,     /* no bytes, or ended without `end` */
    AX_ERR_TRUNCATED, /* an operand runs past the end */
    AX_ERR_OPCODE,    /* an opcode this interpreter does not know or do */
    AX_ERR_UNDERFLOW, /* popped an empty stack */
    AX_ERR_OVERFLOW,  /* pushed past AX_STACK_MAX */
    AX_ERR_DIV_ZERO,  /* division or remainder by zero */
    AX_ERR_JUMP,      /* goto or if_goto outside the expression */
    AX_ERR_STEPS,     /* ran more than AX_STEPS_MAX bytecodes */
    AX_ERR_REGISTER,  /* no such register */
    AX_ERR_MEMORY,    /* memory that cannot be read */
    AX_ERR_FORMAT,    /* a printf format that is not terminated or asks for what it lacks */
};

/* Run code[0..len). On AX_OK, *result is the value on top of the stack at `end` (0 when the
 * stack is empty, as for commands). */
enum ax_status ax_eval(const uint8_t *code, size_t len, const struct ax_env *env, uint64_t *result);
const char *ax_status_text(enum ax_status st);

#endif
