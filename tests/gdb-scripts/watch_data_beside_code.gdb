# A watchpoint on data in the very page the code runs from: the trapped page cannot be executed
# from, so kvmstub maps it back for one instruction at a time and still reports each write.
# guest: build/guest/samepage64.img
# symbols: build/guest/samepage64.img
# status: 1
watch *(long *)&tally
continue
continue
continue
delete
continue
