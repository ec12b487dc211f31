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

# needs /dev/kvm: the installed gdb helper talks to a running kvmstub
test_install_into_destdir_and_uninstall() {
    local d=$TEST_DIR/destdir prefix=/usr
    mkdir -p "$d$prefix/bin" && touch "$d$prefix/bin/someone-elses"
    # The binary under test, as built (make -o all: nothing is rebuilt under the other tests).
    make --no-print-directory -o all install DESTDIR="$d" PREFIX="$prefix" BIN="$KVMSTUB" \
        >"$TEST_DIR/install.log" 2>&1 || { fail_because "make install: $(tail -n 3 "$TEST_DIR/install.log")"; return 1; }
    local f
    for f in bin/kvmstub share/man/man1/kvmstub.1 share/doc/kvmstub/README.md share/kvmstub/gdb/kvmstub.py; do
        [ -f "$d$prefix/$f" ] || { fail_because "make install did not put $prefix/$f"; return 1; }
    done
    [ -x "$d$prefix/bin/kvmstub" ] && "$d$prefix/bin/kvmstub" --version | grep -q '^kvmstub ' ||
        { fail_because "the installed kvmstub does not run"; return 1; }
    MANWIDTH=80 man -l "$d$prefix/share/man/man1/kvmstub.1" >"$TEST_DIR/man.txt" 2>"$TEST_DIR/man.err" ||
        { fail_because "man -l: $(cat "$TEST_DIR/man.err")"; return 1; }
    grep -q '^NAME' "$TEST_DIR/man.txt" && grep -q -- '--gdb-arch' "$TEST_DIR/man.txt" &&
        grep -q '^FROM QEMU' "$TEST_DIR/man.txt" || { fail_because "the installed man page does not render"; return 1; }
    # The installed gdb helper against the installed kvmstub.
    "$d$prefix/bin/kvmstub" --gdb 127.0.0.1:0 >"$TEST_DIR/console" 2>"$TEST_DIR/stderr" &
    KVMSTUB_PID=$!
    wait_for_line "$TEST_DIR/stderr" 'waiting for gdb on' 20 "$KVMSTUB_PID" || { fail_because "installed kvmstub did not listen"; return 1; }
    GDB_PORT=$(sed -n 's/.*waiting for gdb on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$TEST_DIR/stderr")
    run_gdb "$TEST_DIR/gdb.log" -x "$d$prefix/share/kvmstub/gdb/kvmstub.py" \
        -ex "target remote 127.0.0.1:$GDB_PORT" -ex kvmstub -ex 'help kvmstub' -ex kill
    cat "$TEST_DIR/gdb.log"
    expect_match "$TEST_DIR/gdb.log" 'translate ADDR' "the helper's kvmstub command did not list the monitor" || return 1
    expect_match "$TEST_DIR/gdb.log" "kvmstub's own commands" "help kvmstub" || return 1
    make --no-print-directory uninstall DESTDIR="$d" PREFIX="$prefix" >"$TEST_DIR/uninstall.log" 2>&1 ||
        { fail_because "make uninstall: $(tail -n 3 "$TEST_DIR/uninstall.log")"; return 1; }
    (cd "$d" && find . -name '*kvmstub*') >"$TEST_DIR/left"
    [ ! -s "$TEST_DIR/left" ] || { fail_because "make uninstall left: $(tr '\n' ' ' <"$TEST_DIR/left")"; return 1; }
    [ -f "$d$prefix/bin/someone-elses" ] || fail_because "make uninstall removed a file it had not installed"
}

test_man_page_and_help_name_the_same_options() {
    "$KVMSTUB" --help >"$TEST_DIR/help.txt" || { fail_because "--help failed"; return 1; }
    groff -ww -z -man doc/kvmstub.1 >"$TEST_DIR/groff.log" 2>&1 && [ ! -s "$TEST_DIR/groff.log" ] ||
        { fail_because "groff warns about doc/kvmstub.1: $(head -n 3 "$TEST_DIR/groff.log")"; return 1; }
    python3 - "$TEST_DIR/help.txt" doc/kvmstub.1 >"$TEST_DIR/sync.txt" <<'PY'
import re, sys
help_text = open(sys.argv[1]).read()
man = open(sys.argv[2]).read()
man = "\n".join(l for l in man.splitlines() if not l.startswith('.\\"'))   # troff comments
man = re.sub(r"\.SH EXAMPLES.*?(?=\n\.SH )", "", man, flags=re.S)      # gdb's options there
man = re.sub(r"\\f[BIRP]", "", man).replace("\\-", "-")
option = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")
in_help, in_man = set(option.findall(help_text)), set(option.findall(man))
for o in sorted(in_help - in_man):
    print("in --help, not in the man page:", o)
for o in sorted(in_man - in_help):
    print("in the man page, not in --help:", o)
sys.exit(in_help != in_man or len(in_help) < 20)
PY
    local rc=$?
    cat "$TEST_DIR/sync.txt"
    [ $rc = 0 ] || fail_because "$(tr '\n' ';' <"$TEST_DIR/sync.txt")"
}

# clone_tree DIR: the committed tree in DIR (a local clone: fast, hard links).
clone_tree() {
    git clone --quiet --no-hardlinks "$ROOT" "$1" 2>"$TEST_DIR/clone.err" ||
        { fail_because "git clone: $(cat "$TEST_DIR/clone.err")"; return 1; }
}

test_version_names_the_commit_and_a_new_head_relinks_only_that() {
    # In a clone of the committed tree (outside the repository, so its git is its own).
    local src
    src=$(mktemp -d) || return 1
    # shellcheck disable=SC2064 # the directory is known now
    trap "rm -rf '$src'" RETURN
    clone_tree "$src/tree" || return 1
    make -C "$src/tree" --no-print-directory -j2 all >"$TEST_DIR/build1.log" 2>&1 ||
        { fail_because "build: $(tail -n 3 "$TEST_DIR/build1.log")"; return 1; }
    local head
    head=$(git -C "$src/tree" rev-parse --short HEAD)
    "$src/tree/kvmstub" --version >"$TEST_DIR/v1" && cat "$TEST_DIR/v1"
    grep -qE "^kvmstub [0-9]+\.[0-9]+\.[0-9]+ \(git ([^ ]*-g)?$head[0-9a-f]*\)$" "$TEST_DIR/v1" ||
        { fail_because "--version does not name commit $head: $(cat "$TEST_DIR/v1")"; return 1; }
    make -C "$src/tree" --no-print-directory all >"$TEST_DIR/build2.log" 2>&1
    [ ! -s "$TEST_DIR/build2.log" ] || { fail_because "nothing changed, yet make rebuilt: $(cat "$TEST_DIR/build2.log")"; return 1; }
    git -C "$src/tree" -c user.name=t -c user.email=t@t commit --quiet --allow-empty -m 'a new HEAD'
    make -C "$src/tree" --no-print-directory all >"$TEST_DIR/build3.log" 2>&1
    cat "$TEST_DIR/build3.log"
    [ "$(cat "$TEST_DIR/build3.log")" = "$(printf '  CC    gen/version.o\n  LD    kvmstub')" ] ||
        { fail_because "a new HEAD rebuilt more (or less) than the version: $(tr '\n' ';' <"$TEST_DIR/build3.log")"; return 1; }
    head=$(git -C "$src/tree" rev-parse --short HEAD)
    "$src/tree/kvmstub" --version | grep -q "$head" || { fail_because "--version after the new HEAD: $("$src/tree/kvmstub" --version)"; return 1; }
    # A tarball build (git archive) has no commit, and says so.
    mkdir "$src/tarball" && git -C "$src/tree" archive HEAD | tar -x -C "$src/tarball"
    make -C "$src/tarball" --no-print-directory -j2 all >"$TEST_DIR/build4.log" 2>&1 ||
        { fail_because "tarball build: $(tail -n 3 "$TEST_DIR/build4.log")"; return 1; }
    "$src/tarball/kvmstub" --version | grep -q '^kvmstub [0-9.]* (git unknown commit: not built from a git checkout)$' ||
        fail_because "tarball --version: $("$src/tarball/kvmstub" --version)"
}

test_build_prints_a_line_per_file_and_v1_the_commands() {
    # A build of this tree into a directory of the test's own (BUILD, BIN on make's command line).
    local b=$TEST_DIR/build
    make --no-print-directory -j2 BUILD="$b" BIN="$b/kvmstub" "$b/kvmstub" >"$TEST_DIR/quiet.log" 2>&1 ||
        { fail_because "build: $(tail -n 3 "$TEST_DIR/quiet.log")"; return 1; }
    local bad
    bad=$(grep -vE '^  (CC|AR|LD) +[^ ]+$' "$TEST_DIR/quiet.log" | head -n 3)
    [ -z "$bad" ] || { fail_because "the build printed more than one short line per file: $bad"; return 1; }
    grep -q '^  CC    vm/vcpu.o$' "$TEST_DIR/quiet.log" || { fail_because "no 'CC vm/vcpu.o' line"; return 1; }
    rm -f "$b/vm/vcpu.o"
    make --no-print-directory V=1 BUILD="$b" BIN="$b/kvmstub" "$b/kvmstub" >"$TEST_DIR/verbose.log" 2>&1 ||
        { fail_because "make V=1 failed"; return 1; }
    cat "$TEST_DIR/verbose.log"
    grep -qE "^(gcc|cc|\S+/gcc) .* -c -o $b/vm/vcpu.o vm/vcpu.c$" "$TEST_DIR/verbose.log" ||
        { fail_because "make V=1 did not show the compiler's command"; return 1; }
    ! grep -q '^  CC ' "$TEST_DIR/verbose.log" || fail_because "make V=1 printed the short lines too"
}
