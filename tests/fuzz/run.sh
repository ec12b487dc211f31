#!/usr/bin/env bash
# tests/fuzz/run.sh — build kvmstub's libFuzzer targets and run them.
#
#   bash tests/fuzz/run.sh [SECONDS]   fuzz each target for SECONDS (default 60; make fuzz).
#                                      New inputs accumulate in build/fuzz/work/TARGET, never
#                                      in the repository.
#   bash tests/fuzz/run.sh --ci        replay tests/fuzz/corpus/TARGET and
#                                      tests/fuzz/regressions/TARGET through every target, then
#                                      fuzz each for FUZZ_CI_SECONDS (default 20) from a fresh
#                                      scratch corpus (tests/run.sh runs this as the test "fuzz")
#   bash tests/fuzz/run.sh --replay    only the replay
#   bash tests/fuzz/run.sh --build     only build
#   FUZZ_TARGETS="session loader" ...  only these targets
#
# Targets (tests/fuzz/fuzz_TARGET.c): session (packet decoder and command dispatch over the fake
# target), regs (register layouts, target.xml, g/G/p/P), loader (image detection and every
# loader), agent (the agent-expression interpreter on arbitrary bytecode). They are built with clang -fsanitize=fuzzer,address,undefined into build/fuzz/,
# again only when a source, a header or this script changed.
#
# Prints one line per target. Exit status: 0 when every input passed, 1 when one crashed,
# hung or leaked (the line names the reproducer), 2 when the fuzzers cannot be built.
set -u
cd "$(dirname "$0")/../.." || exit 2

read -r -a TARGETS <<<"${FUZZ_TARGETS:-session regs loader agent}"
OUT=build/fuzz
FUZZ_DIR=tests/fuzz
CI_SECONDS=${FUZZ_CI_SECONDS:-20}
INPUT_TIMEOUT=10 # seconds one input may take before it counts as a hang
# One allocation this large is a bug: the engine's buffers are bounded by the packet size, and
# guest RAM in fuzz_loader is 20 MiB at most. (libFuzzer's default limit is the RSS limit.)
MALLOC_LIMIT_MB=64
RSS_LIMIT_MB=2048

# shellcheck disable=SC2054 # the commas are -fsanitize's
CFLAGS=(-std=gnu11 -I. -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Wall -Wextra
    -Wno-unused-parameter)

# The sources each target links: the project's own code, compiled in, no KVM.
target_sources() {
    case $1 in
    session) echo "$FUZZ_DIR/fuzz_session.c" stub/*.c tests/unit/fake_target.c ;;
    regs) echo "$FUZZ_DIR/fuzz_regs.c" stub/regs.c stub/hex.c ;;
    loader) echo "$FUZZ_DIR/fuzz_loader.c" loader/*.c base/ram.c base/boot.c ;;
    agent) echo "$FUZZ_DIR/fuzz_agent.c" stub/agent_expr.c ;;
    esac
}

# Largest input each target is given (bytes).
target_max_len() {
    case $1 in
    session) echo 32768 ;;
    regs) echo 2048 ;;
    loader) echo 16384 ;;
    agent) echo 4096 ;;
    esac
}

usage() {
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# ---- build --------------------------------------------------------------------------------

find_clang() {
    local c
    for c in "${FUZZ_CC:-}" clang clang-14 clang-15 clang-16 clang-13; do
        [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && { echo "$c"; return 0; }
    done
    return 1
}

# A fingerprint of everything a target is built from: its sources, every header they may
# include, the compiler and the flags.
fingerprint() {
    local t=$1 f
    {
        echo "$CC ${CFLAGS[*]}"
        "$CC" --version 2>/dev/null | head -n 1
        for f in $(target_sources "$t") stub/*.h loader/*.h base/*.h \
            tests/unit/fake_target.h; do
            echo "== $f"
            cat "$f"
        done
    } | sha256sum | cut -d' ' -f1
}

build_one() {
    local t=$1 bin=$OUT/fuzz_$1 sum
    sum=$(fingerprint "$t")
    if [ -x "$bin" ] && [ "$(cat "$bin.sum" 2>/dev/null)" = "$sum" ]; then
        return 0
    fi
    # shellcheck disable=SC2046
    if ! "$CC" "${CFLAGS[@]}" -o "$bin.tmp.$$" $(target_sources "$t") >"$OUT/build-$t.log" 2>&1; then
        rm -f "$bin.tmp.$$"
        return 1
    fi
    mv -f "$bin.tmp.$$" "$bin" && echo "$sum" >"$bin.sum"
}

build_all() {
    CC=$(find_clang) || {
        echo "fuzz: clang is not installed (sh tests/install-deps.sh installs it)"
        return 1
    }
    mkdir -p "$OUT"
    local t pids=() failed=0
    for t in "${TARGETS[@]}"; do
        build_one "$t" &
        pids+=($!)
    done
    for i in "${!TARGETS[@]}"; do
        if ! wait "${pids[$i]}"; then
            t=${TARGETS[$i]}
            failed=1
            echo "fuzz: $t: build failed ($OUT/build-$t.log):"
            if grep -q 'libclang_rt.fuzzer\|fsanitize=fuzzer' "$OUT/build-$t.log"; then
                echo "  clang's libFuzzer runtime is missing: apt-get install libclang-rt-14-dev" \
                    "(sh tests/install-deps.sh does)"
            fi
            tail -n 15 "$OUT/build-$t.log" | sed 's/^/  /'
        fi
    done
    return $failed
}

# ---- run ----------------------------------------------------------------------------------

# libFuzzer's last words about a failure: the reproducer it wrote, or the input it ran.
reproducer_of() {
    local log=$1 path
    path=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    [ -z "$path" ] && path=$(sed -n 's/^Running: \(.*\)$/\1/p' "$log" | tail -n 1)
    echo "$path"
}

# report_failure TARGET LOG WHAT [LOG_TO_SHOW]
report_failure() {
    local t=$1 log=$2 what=$3 shown=${4:-$2} repro
    repro=$(reproducer_of "$log")
    echo "fuzz: $t: FAILED during $what: $(grep -m1 -E '^fuzz_[a-z]+: |ERROR: |runtime error: ' "$log")"
    echo "  reproducer: ${repro:-see $log}"
    echo "  replay it:  $OUT/fuzz_$t ${repro:-INPUT}"
    case $repro in
    "$FUZZ_DIR"/*) ;;
    *) echo "  keep it:    cp ${repro:-INPUT} $FUZZ_DIR/regressions/$t/NAME  (then fix the bug)" ;;
    esac
    echo "  log:        $shown"
}

inputs_of() {
    find "$FUZZ_DIR/corpus/$1" "$FUZZ_DIR/regressions/$1" -type f ! -name '.*' 2>/dev/null | sort
}

# replay_files TARGET LOG FILE...: run each input once (libFuzzer's file mode).
replay_files() {
    local t=$1 log=$2
    shift 2
    "$OUT/fuzz_$t" -timeout="$INPUT_TIMEOUT" -rss_limit_mb="$RSS_LIMIT_MB" \
        -malloc_limit_mb="$MALLOC_LIMIT_MB" "$@" >"$log" 2>&1
}

# Run every stored input once; on a failure, name every input that fails.
replay_one() {
    local t=$1 log=$OUT/replay-$1.log start=$SECONDS
    local -a files
    mapfile -t files < <(inputs_of "$t")
    if [ ${#files[@]} = 0 ]; then
        echo "fuzz: $t: no stored inputs to replay"
        return 0
    fi
    if replay_files "$t" "$log" "${files[@]}"; then
        echo "fuzz: $t: replayed ${#files[@]} stored inputs in $((SECONDS - start)) s, all passed"
        return 0
    fi
    # libFuzzer stops at the first failure: find every failing input, one at a time.
    local f n=0
    for f in "${files[@]}"; do
        if ! replay_files "$t" "$log.one" "$f"; then
            report_failure "$t" "$log.one" "the replay" "$log"
            cat "$log.one" >>"$log"
            n=$((n + 1))
        fi
    done
    rm -f "$log.one"
    echo "fuzz: $t: $n of ${#files[@]} stored inputs failed"
    return 1
}

count_files() {
    find "$1" -type f 2>/dev/null | wc -l
}

# fuzz_one TARGET SECONDS WORKDIR: fuzz from the stored inputs; new ones go to WORKDIR.
fuzz_one() {
    local t=$1 secs=$2 work=$3 log=$OUT/fuzz-$1.log before after dict=()
    mkdir -p "$work" "$OUT/artifacts/$t"
    [ -f "$FUZZ_DIR/$t.dict" ] && dict=(-dict="$FUZZ_DIR/$t.dict")
    before=$(count_files "$work")
    "$OUT/fuzz_$t" -max_total_time="$secs" -timeout="$INPUT_TIMEOUT" -rss_limit_mb="$RSS_LIMIT_MB" \
        -malloc_limit_mb="$MALLOC_LIMIT_MB" \
        -max_len="$(target_max_len "$t")" -print_final_stats=1 "${dict[@]}" \
        -artifact_prefix="$OUT/artifacts/$t/" "$work" "$FUZZ_DIR/corpus/$t" \
        "$FUZZ_DIR/regressions/$t" >"$log" 2>&1
    local rc=$?
    if [ $rc != 0 ]; then
        report_failure "$t" "$log" "fuzzing"
        return 1
    fi
    after=$(count_files "$work")
    local runs secs_done cov
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    secs_done=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
    cov=$(grep -E 'DONE|pulse|NEW|REDUCE|INITED' "$log" | tail -n 1 |
        sed -n 's/.*cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\).*/cov \1, features \2, corpus \3/p')
    echo "fuzz: $t: ${runs:-?} runs in ${secs_done:-$secs} s ($((${runs:-0} / (${secs_done:-$secs} > 0 ? ${secs_done:-$secs} : 1)))/s), ${cov:-no stats}, $((after - before)) new inputs in $work"
}

# ---- main ---------------------------------------------------------------------------------

main() {
    local mode=fuzz seconds_each=60 t status=0
    case "${1:-}" in
    --ci) mode=ci ;;
    --replay) mode=replay ;;
    --build) mode=build ;;
    '') ;;
    *[!0-9]* | 0) usage ;;
    *) seconds_each=$1 ;;
    esac
    mkdir -p "$OUT"
    for t in "${TARGETS[@]}"; do
        mkdir -p "$FUZZ_DIR/corpus/$t" "$FUZZ_DIR/regressions/$t"
    done
    build_all || return 2
    [ "$mode" = build ] && return 0

    case $mode in
    ci | replay)
        for t in "${TARGETS[@]}"; do
            replay_one "$t" || status=1
        done
        if [ "$mode" = ci ]; then
            for t in "${TARGETS[@]}"; do
                rm -rf "$OUT/ci-work/$t"
                fuzz_one "$t" "$CI_SECONDS" "$OUT/ci-work/$t" || status=1
                rm -rf "$OUT/ci-work/$t"
            done
        fi
        ;;
    fuzz)
        for t in "${TARGETS[@]}"; do
            fuzz_one "$t" "$seconds_each" "$OUT/work/$t" || status=1
        done
        ;;
    esac
    return $status
}

# On one line: bash reads a script as it runs, so nothing after this may be read late.
main "$@"; exit $?
