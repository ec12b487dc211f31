# The guest's own INT3s go to the guest's own #BP handler, silently, while gdb is attached and
# has breakpoints of its own around them; the guest counts three and passes. (gdb itself skips
# an INT3 the program already has when it resumes from that very address, as it does natively,
# so the breakpoints here are before and after them.)
# guest: build/guest/loop64.img
# symbols: build/guest/loop64.img
# status: 1
# console: ^loop64 OK$
break long_walk
break done
continue
p *(int*)&int3_count
continue
p *(int*)&int3_count
continue
