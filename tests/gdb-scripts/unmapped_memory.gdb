# Reading or writing memory that is not mapped, or beyond RAM, or wrapping past 2^64, is an
# error gdb reports; the session and the guest go on.
# guest: build/guest/loop64.img
# symbols: build/guest/loop64.img
# status: 1
# console: ^loop64 OK$
python
def attempt(cmd):
    try:
        gdb.execute(cmd)
    except gdb.error as e:
        print("error: %s" % e)
attempt("x/4xb 0x0000400000000000")
attempt("x/4xb 0x00007ffffffff000")
attempt("set {char}0x0000500000000000 = 1")
attempt("x/2gx 0xfffffffffffffff8")
attempt("x/4xb 0xffff800000000000")
attempt("monitor phys on")
attempt("x/4xb 0x2000000")
attempt("x/4xb 0xfffffffffffffffe")
attempt("x/2xb 0x100000")
attempt("monitor phys off")
attempt("x/2xb 0x100000")
end
continue
