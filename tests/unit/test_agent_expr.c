/* tests/unit/test_agent_expr.c — the agent-expression interpreter (stub/agent_expr.h). */
#include <string.h>

#include "check.h"
#include "stub/agent_expr.h"

struct fake_env {
    uint64_t regs[4];
    uint8_t mem[64]; /* at address 0x1000 */
    char printed[256];
};

static bool fake_reg(void *ctx, int n, uint64_t *v)
{
    struct fake_env *e = ctx;
    if (n < 0 || n >= 4)
        return false;
    *v = e->regs[n];
    return true;
}

static bool fake_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct fake_env *e = ctx;
    if (addr < 0x1000 || addr - 0x1000 + len > sizeof(e->mem))
        return false;
    memcpy(buf, e->mem + (addr - 0x1000), len);
    return true;
}

static void fake_print(void *ctx, const char *text)
{
    struct fake_env *e = ctx;
    strncat(e->printed, text, sizeof(e->printed) - strlen(e->printed) - 1);
}

static struct fake_env env_data;
static const struct ax_env env = {&env_data, fake_reg, fake_mem, fake_print};

static enum ax_status run(const uint8_t *code, size_t len, uint64_t *r)
{
    return ax_eval(code, len, &env, r);
}

#define RUN_CODE(r, ...)                                                                           \
    ({                                                                                             \
        static const uint8_t code_[] = {__VA_ARGS__};                                              \
        run(code_, sizeof(code_), (r));                                                            \
    })

static void arithmetic_and_comparisons(void)
{
    uint64_t r = 0;
    /* 7 - 3 == 4 */
    CHECK_EQ(RUN_CODE(&r, 0x22, 7, 0x22, 3, 0x03, 0x22, 4, 0x13, 0x27), AX_OK);
    CHECK_EQ(r, 1);
    /* -8 / 3 (signed) = -2, via const64 */
    CHECK_EQ(
        RUN_CODE(&r, 0x25, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf8, 0x22, 3, 0x05, 0x27),
        AX_OK);
    CHECK_EQ((int64_t)r, -2);
    /* 0xff sign-extended from 8 bits is -1; less_signed(-1, 0) */
    CHECK_EQ(RUN_CODE(&r, 0x22, 0xff, 0x16, 8, 0x22, 0, 0x14, 0x27), AX_OK);
    CHECK_EQ(r, 1);
    CHECK_EQ(RUN_CODE(&r, 0x22, 0xff, 0x22, 0, 0x15, 0x27), AX_OK); /* unsigned: 255 < 0 false */
    CHECK_EQ(r, 0);
    /* 1 << 70 is 0, not undefined */
    CHECK_EQ(RUN_CODE(&r, 0x22, 1, 0x22, 70, 0x09, 0x27), AX_OK);
    CHECK_EQ(r, 0);
    /* INT64_MIN / -1 does not trap */
    CHECK_EQ(RUN_CODE(&r, 0x25, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x22, 0xff, 0x16, 8, 0x05, 0x27), AX_OK);
    CHECK_EQ(RUN_CODE(&r, 0x22, 1, 0x22, 0, 0x06, 0x27), AX_ERR_DIV_ZERO);
}

static void registers_and_memory(void)
{
    uint64_t r = 0;
    env_data.regs[2] = 0x1234;
    memcpy(env_data.mem + 8, "\x78\x56\x34\x12\xff\xff\xff\xff", 8);
    CHECK_EQ(RUN_CODE(&r, 0x26, 0, 2, 0x27), AX_OK);
    CHECK_EQ(r, 0x1234);
    CHECK_EQ(RUN_CODE(&r, 0x26, 0, 9, 0x27), AX_ERR_REGISTER);
    CHECK_EQ(RUN_CODE(&r, 0x23, 0x10, 0x08, 0x19, 0x27), AX_OK); /* ref32 at 0x1008 */
    CHECK_EQ(r, 0x12345678);
    CHECK_EQ(RUN_CODE(&r, 0x23, 0x10, 0x08, 0x1a, 0x27), AX_OK); /* ref64: zero-extended bytes */
    CHECK_EQ(r, 0xffffffff12345678ull);
    CHECK_EQ(RUN_CODE(&r, 0x23, 0x20, 0x00, 0x17, 0x27), AX_ERR_MEMORY);
}

static void jumps_and_stack_operations(void)
{
    uint64_t r = 0;
    /* if reg0 != 0 goto L (push 2) else push 1; end */
    env_data.regs[0] = 0;
    static const uint8_t code[] = {0x26, 0, 0, 0x20, 0, 9, 0x22, 1, 0x27, 0x22, 2, 0x27};
    CHECK_EQ(run(code, sizeof(code), &r), AX_OK);
    CHECK_EQ(r, 1);
    env_data.regs[0] = 5;
    CHECK_EQ(run(code, sizeof(code), &r), AX_OK);
    CHECK_EQ(r, 2);
    CHECK_EQ(RUN_CODE(&r, 0x21, 0, 9, 0x27), AX_ERR_JUMP);
    CHECK_EQ(RUN_CODE(&r, 0x21, 0, 0), AX_ERR_STEPS); /* goto itself forever */
    /* a b c rot => c a b: 1 2 3 -> 3 1 2, top 2; pick 1 -> 1 */
    CHECK_EQ(RUN_CODE(&r, 0x22, 1, 0x22, 2, 0x22, 3, 0x33, 0x27), AX_OK);
    CHECK_EQ(r, 2);
    CHECK_EQ(RUN_CODE(&r, 0x22, 1, 0x22, 2, 0x32, 1, 0x27), AX_OK);
    CHECK_EQ(r, 1);
    CHECK_EQ(RUN_CODE(&r, 0x22, 1, 0x22, 2, 0x2b, 0x27), AX_OK); /* swap */
    CHECK_EQ(r, 1);
    CHECK_EQ(RUN_CODE(&r, 0x29, 0x27), AX_ERR_UNDERFLOW);
    CHECK_EQ(RUN_CODE(&r, 0x32, 5, 0x27), AX_ERR_UNDERFLOW);
}

static void malformed_code_is_an_error(void)
{
    uint64_t r = 0;
    CHECK_EQ(ax_eval(NULL, 0, &env, &r), AX_ERR_EMPTY);
    CHECK_EQ(RUN_CODE(&r, 0x22, 1), AX_ERR_EMPTY);           /* no end */
    CHECK_EQ(RUN_CODE(&r, 0x25, 1, 2), AX_ERR_TRUNCATED);    /* const64 cut short */
    CHECK_EQ(RUN_CODE(&r, 0x01, 0x27), AX_ERR_OPCODE);       /* float */
    CHECK_EQ(RUN_CODE(&r, 0x2c, 0, 0, 0x27), AX_ERR_OPCODE); /* getv */
    CHECK_EQ(RUN_CODE(&r, 0xff, 0x27), AX_ERR_OPCODE);
    uint8_t deep[2 * AX_STACK_MAX + 2];
    for (int i = 0; i < AX_STACK_MAX + 1; i++)
        deep[2 * i] = 0x22, deep[2 * i + 1] = 1;
    CHECK_EQ(run(deep, 2 * (AX_STACK_MAX + 1), &r), AX_ERR_OVERFLOW);
}

static void printf_formats_its_arguments(void)
{
    uint64_t r = 0;
    env_data.printed[0] = 0;
    env_data.regs[1] = 42;
    memcpy(env_data.mem, "hi\0", 3);
    /* printf "n=%d s=%s\n", reg1, 0x1000 — args pushed last first, then chan and fn */
    static const uint8_t code[] = {0x23, 0x10, 0x00, 0x26, 0,   1,    0x22, 0,   0x22,
                                   0,    0x34, 2,    0,    11,  'n',  '=',  '%', 'd',
                                   ' ',  's',  '=',  '%',  's', '\n', 0,    0x27};
    CHECK_EQ(run(code, sizeof(code), &r), AX_OK);
    CHECK_STR(env_data.printed, "n=42 s=hi\n");
    /* a format asking for more than it is given, or not terminated */
    static const uint8_t short_args[] = {0x22, 0, 0x22, 0, 0x34, 0, 0, 3, '%', 'd', 0, 0x27};
    CHECK_EQ(run(short_args, sizeof(short_args), &r), AX_ERR_FORMAT);
    static const uint8_t unterminated[] = {0x22, 0, 0x22, 0, 0x34, 0, 0, 2, 'a', 'b', 0x27};
    CHECK_EQ(run(unterminated, sizeof(unterminated), &r), AX_ERR_FORMAT);
    static const uint8_t bad_conv[] = {0x22, 0, 0x22, 0, 0x22, 0, 0x34, 1, 0, 3, '%', 'n', 0, 0x27};
    CHECK_EQ(run(bad_conv, sizeof(bad_conv), &r), AX_ERR_FORMAT);
}

int main(void)
{
    RUN(arithmetic_and_comparisons);
    RUN(registers_and_memory);
    RUN(jumps_and_stack_operations);
    RUN(malformed_code_is_an_error);
    RUN(printf_formats_its_arguments);
    return CHECK_DONE();
}
