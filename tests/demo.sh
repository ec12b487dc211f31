#!/usr/bin/env bash
# tests/demo.sh — `make demo`: debug the built-in demo guest with gdb, end to end.
# kvmstub serves gdb on an ephemeral loopback port; the guest's own output (port 0xE9 and
# port 0x10) shows up between gdb's lines, prefixed "guest| ".
set -u
cd "$(dirname "$0")/.."
command -v gdb >/dev/null || { echo "demo: gdb is not installed (apt-get install gdb)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
./kvmstub --gdb 127.0.0.1:0 > >(sed -u 's/^/guest| /') 2>"$dir/stderr" &
pid=$!
. tests/lib.sh # wait_for_line
wait_for_line "$dir/stderr" 'waiting for gdb on' 5 "$pid"
port=$(sed -n 's/.*waiting for gdb on 127.0.0.1:\([0-9]*\).*/\1/p' "$dir/stderr")
if [ -z "$port" ]; then
    cat "$dir/stderr" >&2
    exit 1
fi
echo "demo: $(head -n 1 "$dir/stderr")"
echo "demo: running: gdb -ex 'target remote 127.0.0.1:$port' -x tests/demo/demo.gdb"
gdb -nx -batch -ex 'set pagination off' -ex "target remote 127.0.0.1:$port" -x tests/demo/demo.gdb
wait "$pid"
status=$?
echo "demo: kvmstub exited with status $status (0: the guest halted normally)"
exit "$status"
