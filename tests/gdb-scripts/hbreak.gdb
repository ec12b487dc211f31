# Hardware breakpoints: hit in a loop, and in code that has not run yet.
# guest: build/guest/loop64.img
# symbols: build/guest/loop64.img
# status: 1
# console: ^loop64 OK$
hbreak bump
hbreak long_walk
continue
continue
p $rcx
delete 1
continue
p $pc == (long)&long_walk
delete
continue
