#!/usr/bin/env bash
# tests/fuzz/make-corpus.sh — regenerate the seed corpora in tests/fuzz/corpus/ (run it after a
# protocol or loader change that the seeds should show; commit what changed).
#
#   bash tests/fuzz/make-corpus.sh     needs ./kvmstub, build/guest/*.img, gdb, python3, nasm
#
# session/: what real gdb sent to ./kvmstub in typical sessions (recorded by a proxy,
#           tests/fuzz/rsp_client.py record), behind the two configuration bytes of
#           fuzz_session.c; plus a few hand-made streams (oversized packet, Ctrl-C, bad framing).
# regs/:    g/G/p/P/target.xml/number inputs for each architecture (fuzz_regs.c's format).
# loader/:  small crafted images of every kind (tests/fuzz/make_seeds.py): each either loads
#           and ends at once (hlt or the exit port) or is refused, since
#           tests/suite_faults.sh boots every one of them for real.
set -eu
export PYTHONDONTWRITEBYTECODE=1
cd "$(dirname "$0")/../.."
C=tests/fuzz/corpus
mkdir -p "$C/session" "$C/regs" "$C/loader"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# record NAME HEADER_HEX IMAGE KVMSTUB_ARGS -- GDB_ARGS...: one gdb session through the proxy.
record() {
    local name=$1 header=$2 image=$3 kargs=$4
    shift 5
    # shellcheck disable=SC2086 # kargs: several options, or none
    ./kvmstub --gdb 127.0.0.1:0 $kargs "$image" >/dev/null 2>"$TMP/k.err" &
    local kpid=$!
    local port=
    for _ in $(seq 100); do
        port=$(sed -n 's/.*waiting for gdb on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$TMP/k.err" | head -n 1)
        [ -n "$port" ] && break
        sleep 0.05
    done
    python3 tests/fuzz/rsp_client.py record 0 "$port" "$C/session/$name" "$header" >"$TMP/p.log" &
    local ppid=$!
    local pport=
    for _ in $(seq 100); do
        pport=$(sed -n 's/^record: listening on //p' "$TMP/p.log")
        [ -n "$pport" ] && break
        sleep 0.05
    done
    timeout 60 gdb -nx -batch -ex 'set pagination off' -ex 'set confirm off' "$@" \
        -ex "target remote 127.0.0.1:$pport" -x "$TMP/cmds" >"$TMP/gdb.log" 2>&1 || true
    wait "$ppid" || true
    kill "$kpid" 2>/dev/null || true
    wait "$kpid" 2>/dev/null || true
    echo "session/$name: $(stat -c %s "$C/session/$name") bytes"
    # gdb stops a batch script at its first error: the recording would be cut short
    if grep -iE 'error|no symbol|cannot|unknown type|not defined' "$TMP/gdb.log"; then
        echo "make-corpus: gdb failed in session $name" >&2
        exit 1
    fi
}

# Configuration bytes (fuzz_session.c): byte 0 = arch | (threads - 1) << 2 | 0x20 (a resume
# stops at once) | stop kind << 6; byte 1 = 0x80 (fake RAM at 1 MiB, where the guests are).
X86_64_SWBREAK=6280
X86_64_WATCH=a280
X86_64_2CPU=6680
I386_SWBREAK=6180
I8086_SWBREAK=6000

cat >"$TMP/cmds" <<'EOF'
break count_loop
continue
info registers
x/8xb &buffer
p *(long *)&counter
set var *(long *)&counter = 0
stepi 3
delete
hbreak bump
continue
delete
info threads
detach
EOF
record loop64-break-step "$X86_64_SWBREAK" build/guest/loop64.img "" -- build/guest/loop64.img

cat >"$TMP/cmds" <<'EOF'
watch *(long *)&counter
rwatch *(long *)&limit
awatch *(char *)&buffer
continue
continue
delete
continue
EOF
record loop64-watch "$X86_64_WATCH" build/guest/loop64.img "" -- build/guest/loop64.img

cat >"$TMP/cmds" <<'EOF'
break bump
continue
monitor help
monitor sregs
monitor translate 0x100000
monitor phys on
x/4xb 0x100000
monitor phys off
monitor nosuchthing
set {char[16]}&buffer = "}#$*0123456789a"
x/16xb &buffer
kill
EOF
record loop64-monitor-memory-kill "$X86_64_SWBREAK" build/guest/loop64.img "" -- build/guest/loop64.img

cat >"$TMP/cmds" <<'EOF'
info threads
thread 2
info registers rip
stepi
thread 1
break bump
continue
delete
detach
EOF
record loop64-two-cpus "$X86_64_2CPU" build/guest/loop64.img "--cpus 2" -- build/guest/loop64.img

cat >"$TMP/cmds" <<'EOF'
show architecture
p/x $eip
p/x $cr0
stepi
set $eflags = $eflags | 0x40
stepi
info registers
continue
EOF
record prot32-regs "$I386_SWBREAK" build/guest/prot32.img "" -- build/guest/prot32.img

cat >"$TMP/cmds" <<'EOF'
info registers eip cs
x/4i $pc
stepi
set $eax = 0x1234
p/x $eax
continue
EOF
record realmode-i8086 "$I8086_SWBREAK" build/guest/realmode.img "" -- -iex 'set architecture i8086'

# Hand-made streams: Ctrl-C while running, a packet longer than PacketSize (0xFF 0xFE), bad
# checksums and a NAK, a '$' inside a packet, and packets split across feeds (0xFF 0x00).
python3 - "$C/session" <<'EOF'
import sys
sys.path.insert(0, "tests/fuzz")
from rsp_client import frame
d = sys.argv[1]
def put(name, header, data):
    open("%s/%s" % (d, name), "wb").write(bytes.fromhex(header) + data)
put("handmade-ctrl-c", "0280", b"+" + frame(b"vCont;c") + b"\x03" + b"+" + frame(b"?"))
put("handmade-oversized", "6280", b"$" + b"\xff\xfe" + b"#10" + frame(b"qC"))
put("handmade-bad-framing", "6280",
    b"$m1000,4#00" + b"-" + b"$m10$m1000,4#" + b"\xff\x00" + b"8c" + b"junk+" + frame(b"g")
    + b"$X100000,4:\x00\x01}\x03}]#zz" + frame(b"X100000,4:\x00\x01\x03}")
    + frame(b"QStartNoAckMode") + b"-" + frame(b"p10"))
put("handmade-exit-while-running", "0280", b"+" + frame(b"c") + b"\xff\x06" + frame(b"?"))
put("handmade-detach-then-attach", "7280", b"+" + frame(b"D") + b"+" + frame(b"?") + frame(b"k"))
# Every command family once, over a two-thread x86-64 fake with RAM at 0x1000 (the ack mode
# is left on: each reply is acknowledged as gdb does).
cmds = [b"qSupported:swbreak+", b"?", b"Hg2", b"g", b"G" + bytes(range(256)).hex().encode() * 2
        + bytes(96).hex().encode(), b"p10", b"P10=0010000000000000", b"P18=10", b"Hg0",
        b"m1000,10", b"m4ffe,10", b"x1020,8", b"x1000,0", b"M1000,4:deadbeef", b"M1000,0:",
        b"X1004,4:" + bytes([0x7D, 0x03, 0x7D, 0x04]) + b"$", b"X1000,0:",
        b"Z0,1000,1", b"Z1,1001,1;X1,0f", b"Z2,1008,8", b"Z3,1010,4", b"Z4,1020,2", b"Z9,0,1",
        b"z0,1000,1", b"z4,1020,2", b"T1", b"T2", b"T3", b"qC", b"qfThreadInfo", b"qsThreadInfo",
        b"qThreadExtraInfo,2", b"qXfer:features:read:target.xml:0,400",
        b"qXfer:features:read:target.xml:fff,ffff", b"qXfer:features:read:other.xml:0,10",
        b"qRcmd," + b"help".hex().encode(), b"qRcmd," + b"echo hi".hex().encode(),
        b"qRcmd," + b"fail".hex().encode(), b"qRcmd," + b"what".hex().encode(),
        b"qAttached", b"qSymbol::", b"vMustReplyEmpty", b"vCont?", b"Hc2", b"s", b"Hc-1",
        b"vCont;s:2;c", b"C05;1000", b"S05", b"c1000", b"vCont;C0b:1;c"]
put("handmade-every-command", "2600", b"".join(b"+" + frame(c) for c in cmds))
for arch, size in ((0, 352), (1, 352), (2, 608)):
    g = bytes((i * 7) & 0xFF for i in range(size)).hex().encode()
    put("handmade-G-arch%d" % arch, "%02x00" % (0x20 | arch), b"+" + frame(b"g") + b"+"
        + frame(b"G" + g) + b"+" + frame(b"G" + g[:-1]) + b"+" + frame(b"g"))
EOF

python3 tests/fuzz/make_seeds.py "$C"
