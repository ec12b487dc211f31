# A write watchpoint stops right after each write and shows old and new values.
# guest: build/guest/loop64.img
# symbols: build/guest/loop64.img
# status: 1
# console: ^loop64 OK$
watch *(long *)&counter
continue
continue
x/i $pc
continue
delete
continue
