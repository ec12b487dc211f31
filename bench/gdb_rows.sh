#!/usr/bin/env bash
# bench/gdb_rows.sh — the rows real gdb drives (issue 12), kvmstub against QEMU+KVM in the
# same run: `next` over a 50-instruction line, `step` x100, a condition true once in
# BENCH_GDB_HITS hits, dprintf, `find` over 64 MiB, a loop's speed with a watchpoint in its
# page, and gdb's stepi and register reads over TCP and over a unix socket. bench/run.sh runs
# it after the packet-level client; gdb_rows.py does the measuring inside gdb, and
# gdb_rows_table.py prints the table (also appended to bench/out/results.txt).
#
#   bash bench/gdb_rows.sh KVMSTUB IMAGE SYMS [QEMU]
#   BENCH_GDB_REPS, _HITS, _TOUCHES, _LIMIT, _ROWS (the TCP runs): see gdb_rows.py
set -euo pipefail
root=$(cd -- "$(dirname -- "$0")/.." && pwd)
kvmstub=$1 image=$2 syms=$3 qemu=${4:-}
dir=$root/bench/out/gdb
mkdir -p "$dir"
raw=$dir/raw.txt
: >"$raw"
limit=${BENCH_GDB_LIMIT:-120}

say() { printf 'bench (gdb): %s\n' "$*" >&2; }

command -v gdb >/dev/null || { say "gdb is missing: no gdb rows"; exit 0; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# One stub, one transport: start it running the guest, let gdb_rows.py measure, end it.
# STUB is kvmstub or qemu, TRANSPORT tcp or unix.
measure() {
    local stub=$1 transport=$2 rows=$3 addr target pid log=$dir/$1-$2
    if [ "$transport" = tcp ]; then
        addr=127.0.0.1:$(free_port) target=$addr
    else
        addr=$dir/$stub.sock target=$addr
        rm -f "$addr"
    fi
    if [ "$stub" = kvmstub ]; then
        local gdbopt=$addr
        [ "$transport" = unix ] && gdbopt=unix:$addr
        "$kvmstub" --gdb "$gdbopt" --no-wait -m 128M --console none "$image" >"$log.stub" 2>&1 &
    else
        local gdbopt=tcp:$addr
        [ "$transport" = unix ] && gdbopt=unix:$addr,server=on,wait=off
        "$qemu" -enable-kvm -nodefaults -display none -monitor none -serial none -no-reboot \
            -kernel "$image" -m 128 -gdb "$gdbopt" >"$log.stub" 2>&1 &
    fi
    pid=$!
    say "$stub over $transport"
    BENCH_GDB_PID=$pid BENCH_GDB_LOG=$log.stub BENCH_GDB_TARGET=$target BENCH_GDB_STUB=$stub BENCH_GDB_SYMS=$syms BENCH_GDB_SELF_LOG=$log.gdb BENCH_GDB_OUT=$raw.$stub.$transport \
        BENCH_GDB_ROWS=$rows timeout $((limit * 20)) gdb -batch -nx -x "$root/bench/gdb_rows.py" "$image" \
        >"$log.gdb" 2>&1 || say "$stub over $transport: gdb ended with status $? (log: $log.gdb)"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    [ "$transport" = unix ] && rm -f "$addr"
    return 0
}

rm -f "$raw".*
measure kvmstub tcp "${BENCH_GDB_ROWS:-all}"
measure kvmstub unix transport
if [ -n "$qemu" ]; then
    measure qemu tcp "${BENCH_GDB_ROWS:-all}"
    measure qemu unix transport
fi
python3 "$root/bench/gdb_rows_table.py" "$raw" "$(gdb --version | head -n 1)" \
    "${BENCH_GDB_HITS:-10000}" "${BENCH_GDB_TOUCHES:-100000}" "${BENCH_GDB_REPS:-5}"
