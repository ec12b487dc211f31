# tests/lib.sh — helpers for the test suites (sourced by tests/run.sh).
#
# A suite file (tests/suite_*.sh) defines functions named test_*; each returns 0 for pass,
# 1 for fail (after saying why with `fail_because`), or 77 for skip (after `skip_because`).
# Work files go in $TEST_DIR (fresh for each test). $KVMSTUB is the binary under test.

fail_because() { echo "$*" >"$TEST_DIR/.reason"; return 1; }
skip_because() { echo "$*" >"$TEST_DIR/.reason"; return 77; }

# emulating_host: this host's KVM emulates guest kernel code (PVM, DESIGN.md §7), where Linux
# user space cannot run; USERSPACE_SKIP says so for a test that needs it.
emulating_host() {
    [ -e /sys/module/kvm_pvm ]
}
USERSPACE_SKIP="this host's KVM (PVM) runs guest ring-3 code natively and a system call from it faults, so Linux user space cannot run here (DESIGN.md §7)"
NATIVE_CODE_SKIP="this host's KVM (PVM) emulates guest kernel code, and this test needs it run natively; the hardware-host lane runs it (DESIGN.md §7)"

# has_line FILE REGEX: FILE has a whole line matching the extended regex REGEX. A writer may be
# in the middle of a line: `read` fails on a last line without its newline, so a half-written
# line (a port number, a command line) is never matched. Bash alone, without a process: where
# process creation is slow (the hardware-host lane runs under an emulated CPU, DESIGN.md §10),
# the waits below would otherwise take a CPU of their own.
has_line() {
    local line
    [ -r "$1" ] || return 1
    while IFS= read -r line; do
        [[ $line =~ $2 ]] && return 0
    done <"$1"
    return 1
}

# nap SECONDS: sleep without a process (a read that times out on a pipe nobody writes to): where
# process creation is slow (the hardware-host lane: an exec takes 0.1 s there, measured
# 2026-12-07), a `sleep 0.02` in a wait loop took five times its time and a CPU with it.
# The pipe is opened once, as the suites' shell starts (its $! is that of the `:` behind it:
# read $! right after the `&` it is for); where it cannot be, nap is a plain sleep.
# (The braces: a redirection on `exec` itself would stay, and silence the shell's stderr.)
{ exec {NAP_FD}<> <(:); } 2>/dev/null || NAP_FD=
nap() {
    if [ -n "$NAP_FD" ]; then
        read -rt "$1" -u "$NAP_FD" _ || true
    else
        sleep "$1"
    fi
}

# regex_ok REGEX: bash can compile the extended regex (its regex is POSIX's: a few patterns
# grep -E takes, as a{b, it refuses, and a refused one would match nothing).
regex_ok() {
    [[ '' =~ $1 ]]
    [ $? != 2 ]
}

# file_has_match FILE REGEX: some line of FILE (its carriage returns left out) matches
# the extended regex REGEX, whether or not the last line is whole. Bash alone, as has_line.
file_has_match() {
    local line
    [ -r "$1" ] || return 1
    regex_ok "$2" || { echo "file_has_match: /$2/ is not a valid regex" >&2; return 1; }
    while IFS= read -r line || [ -n "$line" ]; do
        [[ ${line//$'\r'/} =~ $2 ]] && return 0
    done <"$1"
    return 1
}

# wait_for_line FILE REGEX TIMEOUT_S PID: wait until FILE has a whole line matching REGEX, or
# PID (if given) dies, or the timeout passes. Polls the file: this is a wait on a condition.
wait_for_line() {
    local file=$1 regex=$2 limit=$3 pid=${4:-}
    local deadline=$((SECONDS + limit))
    while [ $SECONDS -lt $deadline ]; do
        has_line "$file" "$regex" && return 0
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            file_has_match "$file" "$regex"
            return
        fi
        nap 0.02
    done
    return 1
}

# gdb_continue_until_console CONSOLE TEXT TIMEOUT_S: gdb script lines that continue the guest
# and stop it as Ctrl-C does once CONSOLE (the guest's console file) holds TEXT, or after
# TIMEOUT_S: a stop at a console line, where a breakpoint cannot be relied on (DESIGN.md §7).
gdb_continue_until_console() {
    cat <<GDB
source ${ROOT:-.}/tests/gdb-scripts/lib/console.py
python continue_until_console("$1", "$2", $3)
GDB
}

# expect_match FILE REGEX WHY: FILE has a line matching the basic regex REGEX; otherwise the
# test fails because WHY (returns 1).
expect_match() { grep -q -- "$2" "$1" || fail_because "$3"; }

# wait_pid PID TIMEOUT_S: wait for a background child; its status in $WAIT_STATUS.
# Returns 1 (and kills it) on timeout.
wait_pid() {
    local pid=$1 limit=$2
    local deadline=$((SECONDS + limit))
    while kill -0 "$pid" 2>/dev/null; do
        if [ $SECONDS -ge $deadline ]; then
            kill -9 "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
            WAIT_STATUS=timeout
            return 1
        fi
        nap 0.02
    done
    wait "$pid"
    WAIT_STATUS=$?
    return 0
}

# expect_in_order LOG EXPECT_FILE: every non-empty, non-# line of EXPECT_FILE is an extended
# regex that must match a line of LOG, each after the previous match. Bash alone (see nap).
expect_in_order() {
    local log=$1 expect=$2 line=0 from regex
    local -a lines
    mapfile -t lines <"$log"
    while IFS= read -r regex || [ -n "$regex" ]; do
        case "$regex" in '' | '#'*) continue ;; esac
        regex_ok "$regex" || { echo "/$regex/ is not a valid regex (${expect##*/})"; return 1; }
        from=$line
        while [ $line -lt ${#lines[@]} ] && ! [[ ${lines[line]} =~ $regex ]]; do
            line=$((line + 1))
        done
        if [ $line -ge ${#lines[@]} ]; then
            echo "expected /$regex/ (after line $from of ${log##*/})"
            return 1
        fi
        line=$((line + 1))
    done <"$expect"
    return 0
}

# start_kvmstub_gdb ARGS...: start kvmstub with --gdb on an ephemeral loopback port, console in
# $TEST_DIR/console, stderr in $TEST_DIR/stderr. Sets KVMSTUB_PID and GDB_PORT.
start_kvmstub_gdb() {
    # Emptied here, before kvmstub starts: a test that starts it twice must not read the first
    # one's port from a file the second one has not truncated yet.
    : >"$TEST_DIR/console"
    : >"$TEST_DIR/stderr"
    "$KVMSTUB" --gdb 127.0.0.1:0 "$@" >"$TEST_DIR/console" 2>"$TEST_DIR/stderr" &
    KVMSTUB_PID=$!
    if ! wait_for_line "$TEST_DIR/stderr" 'waiting for gdb on' 20 "$KVMSTUB_PID"; then
        GDB_PORT=
        return 1
    fi
    GDB_PORT=$(sed -n 's/.*waiting for gdb on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$TEST_DIR/stderr" |
        head -n 1)
    [ -n "$GDB_PORT" ]
}

# gdb as every test runs it: batch mode, no init files, no questions.
GDB_BATCH=(gdb -nx -batch -ex 'set pagination off' -ex 'set confirm off')

# run_gdb LOG ARGS...: real gdb in batch mode, bounded in time.
run_gdb() {
    local log=$1
    shift
    timeout "${GDB_TIMEOUT:-120}" "${GDB_BATCH[@]}" "$@" >"$log" 2>&1
}

# assemble64 NAME: assemble the 64-bit guest on stdin (nasm) and link it at 1 MiB with symbols;
# the image is $TEST_DIR/NAME.img.
assemble64() {
    cat >"$TEST_DIR/$1.asm"
    nasm -f elf64 -g -F dwarf -o "$TEST_DIR/$1.o" "$TEST_DIR/$1.asm" &&
        ld -m elf_x86_64 -Ttext=0x100000 -e _start -o "$TEST_DIR/$1.img" "$TEST_DIR/$1.o" ||
        fail_because "cannot assemble the $1 guest"
}

# in_netns SCRIPT: run bash SCRIPT in a network namespace of its own, with loopback up, so a
# fixed port (QEMU's 1234) cannot clash with anything else on the machine or in the suite.
# Returns 77 when no namespace can be had (neither root nor user namespaces).
in_netns() {
    local how
    for how in -n -rn; do
        if unshare "$how" true 2>/dev/null; then
            unshare "$how" bash -c 'ip link set lo up && exec bash "$1"' in_netns "$1"
            return
        fi
    done
    return 77
}

# netns_debug_session LOG KVMSTUB_ARGS... -- DEBUGGER_ARGV...: in a network namespace of its
# own (in_netns), so the fixed address a user's command line names (QEMU's :1234) is free:
# start kvmstub with KVMSTUB_ARGS (console and stderr in $TEST_DIR), wait until it listens, run
# the debugger's command line (output in LOG, input from $DEBUGGER_STDIN or /dev/null), then wait
# for kvmstub, whose status goes to $TEST_DIR/status. Returns 77 without a namespace, 3 when
# kvmstub did not listen.
netns_debug_session() {
    local log=$1
    shift
    local -a kargs=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        kargs+=("$1")
        shift
    done
    shift
    {
        echo "cd $(printf %q "$ROOT") && . tests/lib.sh"
        echo "$(printf '%q ' "$KVMSTUB" "${kargs[@]}")>$(printf %q "$TEST_DIR/console") 2>$(printf %q "$TEST_DIR/stderr") &"
        echo 'pid=$!'
        echo "wait_for_line $(printf %q "$TEST_DIR/stderr") 'waiting for gdb on' 20 \$pid || exit 3"
        echo "timeout 120 $(printf '%q ' "$@")<$(printf %q "${DEBUGGER_STDIN:-/dev/null}") >$(printf %q "$log") 2>&1"
        echo "wait \$pid; echo \$? >$(printf %q "$TEST_DIR/status")"
    } >"$TEST_DIR/netns-session.sh"
    in_netns "$TEST_DIR/netns-session.sh"
}
