# The guest's end reaches gdb as "exited with code N" (N = kvmstub's exit status), then
# kvmstub ends with the same status.
# guest: build/guest/realmode.img
# status: 1
# console: ^real mode OK$
continue
