# gdb's kill ends the guest and kvmstub (status 12, "ended on request").
# guest: build/guest/spin64.img
# symbols: build/guest/spin64.img
# status: 12
break spin
continue
kill
info inferiors
