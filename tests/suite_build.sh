# tests/suite_build.sh — the tree itself: formatted, lint-clean, the embedded demo guest in sync.

test_demo_bytes_match_demo_asm() {
    sh guest/embed-demo.sh "$TEST_DIR/demo_image.c" || return 1
    cmp -s "$TEST_DIR/demo_image.c" guest/demo_image.c ||
        fail_because "guest/demo_image.c differs from what nasm makes of guest/demo.asm (run sh guest/embed-demo.sh)"
}

test_format_and_lint_are_clean() {
    command -v clang-format >/dev/null && command -v cppcheck >/dev/null ||
        { fail_because "clang-format and cppcheck are needed (tests/install-deps.sh installs them)"; return 1; }
    make --no-print-directory lint >"$TEST_DIR/lint.log" 2>&1 ||
        fail_because "make lint: $(grep -m3 -E '^[^ ]+:[0-9]+:[0-9]+: (error|warning)' "$TEST_DIR/lint.log" | tr '\n' ' ')"
}
