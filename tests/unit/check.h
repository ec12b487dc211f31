/* tests/unit/check.h — the tiny harness every unit test binary uses.
 *
 * A test binary runs its cases with RUN(fn); each case uses CHECK(...) and friends. Every case
 * prints one line, "PASS name" or "FAIL name: file:line: what", which tests/run.sh counts.
 * The binary exits 1 if any case failed.
 */
#ifndef KVMSTUB_TESTS_CHECK_H
#define KVMSTUB_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_case_failed;
static int check_total_failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);                      \
            check_case_failed = 1;                                                                 \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                            \
        if (check_a_ != check_b_) {                                                                \
            printf("  %s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a, check_a_, \
                   #b, check_b_);                                                                  \
            check_case_failed = 1;                                                                 \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *check_a_ = (a), *check_b_ = (b);                                               \
        if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {                           \
            printf("  %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a,             \
                   check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");                \
            check_case_failed = 1;                                                                 \
        }                                                                                          \
    } while (0)

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        check_case_failed = 0;                                                                     \
        fn();                                                                                      \
        printf("%s %s\n", check_case_failed ? "FAIL" : "PASS", #fn);                               \
        fflush(stdout);                                                                            \
        check_total_failed |= check_case_failed;                                                   \
    } while (0)

#define CHECK_DONE() (check_total_failed ? 1 : 0)

#endif
