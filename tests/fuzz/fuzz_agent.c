/* tests/fuzz/fuzz_agent.c — libFuzzer target: the agent-expression interpreter on arbitrary
 * bytecode, with its contract as the oracle: it ends (AX_OK or an error) for every input,
 * never reads outside the code or the memory it is given, reports a known status, and printf
 * text stays within AX_PRINTF_MAX. Registers 0-15 exist; memory is 256 bytes at 0x1000.
 */
#include "stub/agent_expr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t memory[256];

static bool fuzz_reg(void *ctx, int n, uint64_t *v)
{
    if (n < 0 || n >= 16)
        return false;
    *v = 0x1000 + (uint64_t)n * 8;
    return true;
}

static bool fuzz_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
    if (addr < 0x1000 || addr - 0x1000 > sizeof(memory) || len > sizeof(memory) - (addr - 0x1000))
        return false;
    memcpy(buf, memory + (addr - 0x1000), len);
    return true;
}

static void fuzz_print(void *ctx, const char *text)
{
    if (strlen(text) >= AX_PRINTF_MAX) {
        fprintf(stderr, "fuzz_agent: printf text of %zu bytes\n", strlen(text));
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < sizeof(memory); i++)
        memory[i] = (uint8_t)(i * 13);
    /* A copy of exactly the input's size: any read past the code is caught by ASan. */
    uint8_t *code = malloc(size ? size : 1);
    if (!code)
        return 0;
    memcpy(code, data, size);
    const struct ax_env env = {NULL, fuzz_reg, fuzz_mem, fuzz_print};
    uint64_t result;
    enum ax_status st = ax_eval(code, size, &env, &result);
    if ((unsigned)st > AX_ERR_FORMAT || strcmp(ax_status_text(st), "?") == 0) {
        fprintf(stderr, "fuzz_agent: unknown status %d\n", st);
        abort();
    }
    free(code);
    return 0;
}
