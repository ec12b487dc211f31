# A PAE guest: its own page tables (2 MiB identity pages, 4 KiB pages at 0xC0000000) read
# through kvmstub's PAE walk. This host's KVM (PVM) cannot run 32-bit paging, so the guest
# stops where it would turn paging on and gdb looks at memory as PAE would map it
# (`monitor paging pae`); the walk is the same code that serves a PAE guest on a hardware host.
# guest: build/guest/pae32.img
# symbols: build/guest/pae32.img
break enable_paging
continue
p/x $cr3 == (long)&pdpt
monitor paging pae
monitor translate 0xC0100000
x/3i 0xC0000000 + (long)&pae_loop
set {int}(0xC0000000 + (long)&pae_data) = 0x5a5a
x/wx &pae_data
monitor translate 0x300000
python
try:
    gdb.execute("x/wx 0xC0400000")
except gdb.error as e:
    print(e)
end
monitor paging auto
kill
