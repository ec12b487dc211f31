#!/usr/bin/env python3
"""tests/fuzz/make_seeds.py — write the crafted seeds of tests/fuzz/corpus/{loader,regs}.

  python3 tests/fuzz/make_seeds.py tests/fuzz/corpus

Loader seeds are tiny images of every kind kvmstub detects, valid ones and ones each check of
the loaders refuses. A valid one ends at once when booted (exit port 0xF4, or cli; hlt), since
tests/suite_faults.sh boots them all for real. Regs seeds follow fuzz_regs.c's input format.
"""
import os
import struct
import sys

LOAD = 0x100000
EXIT_CODE = bytes([0xB0, 0x00, 0xE6, 0xF4, 0xFA, 0xF4])  # mov al, 0; out 0xf4, al; cli; hlt
PT_LOAD, PT_NOTE = 1, 4
ET_EXEC, EM_386, EM_X86_64 = 2, 3, 62
MB_MAGIC = 0x1BADB002
MB2_MAGIC = 0xE85250D6
MB2_END = struct.pack("<HHI", 0, 0, 8)


def elf(bits, segments, entry, machine=None, etype=ET_EXEC, body=b"", body_off=None,
        phnum=None):
    """An ELF executable: headers, then body at body_off. segments: (type, offset, paddr,
    filesz, memsz), offsets relative to the file."""
    is64 = bits == 64
    ehsize, phentsize = (64, 56) if is64 else (52, 32)
    machine = machine if machine is not None else (EM_X86_64 if is64 else EM_386)
    phoff = ehsize
    n = len(segments)
    ident = b"\x7fELF" + bytes([2 if is64 else 1, 1, 1]) + bytes(9)
    if is64:
        eh = ident + struct.pack("<HHIQQQIHHHHHH", etype, machine, 1, entry, phoff, 0, 0,
                                 ehsize, phentsize, phnum if phnum is not None else n, 0, 0, 0)
    else:
        eh = ident + struct.pack("<HHIIIIIHHHHHH", etype, machine, 1, entry, phoff, 0, 0,
                                 ehsize, phentsize, phnum if phnum is not None else n, 0, 0, 0)
    ph = b""
    for typ, off, paddr, filesz, memsz in segments:
        if is64:
            ph += struct.pack("<IIQQQQQQ", typ, 5, off, paddr, paddr, filesz, memsz, 0x1000)
        else:
            ph += struct.pack("<IIIIIIII", typ, off, paddr, paddr, filesz, memsz, 5, 0x1000)
    head = eh + ph
    if body_off is None:
        body_off = len(head)
    return head + bytes(body_off - len(head)) + body


def simple_elf(bits, code=EXIT_CODE, paddr=LOAD, extra_bss=0, entry_delta=0, **kw):
    """One PT_LOAD covering the whole file at paddr; the code right after the headers."""
    hdr = (64 + 56) if bits == 64 else (52 + 32)
    off = (hdr + 15) & ~15
    size = off + len(code)
    return elf(bits, [(PT_LOAD, 0, paddr, size, size + extra_bss)], paddr + off + entry_delta,
               body=code, body_off=off, **kw)


def multiboot_header(flags, fields=()):
    return struct.pack("<III", MB_MAGIC, flags, (-(MB_MAGIC + flags)) & 0xFFFFFFFF) + \
        b"".join(struct.pack("<I", f) for f in fields)


def multiboot_elf(bits=32):
    off = 96 if bits == 32 else 128  # past the ELF and program headers
    body = multiboot_header(0x3) + EXIT_CODE
    size = off + len(body)
    return elf(bits, [(PT_LOAD, 0, LOAD, size, size)], LOAD + off + 12, body=body, body_off=off)


def multiboot_kludge(load_end=0, entry_off=32, load_addr=LOAD):
    fields = (LOAD, load_addr, load_end, 0, LOAD + entry_off)
    return multiboot_header(0x10003, fields) + EXIT_CODE


def multiboot2_header(tags=MB2_END, checksum_delta=0):
    """A multiboot2 header (i386) with these tags, which must end with the end tag."""
    length = 16 + len(tags)
    checksum = (-(MB2_MAGIC + length) + checksum_delta) & 0xFFFFFFFF
    return struct.pack("<IIII", MB2_MAGIC, 0, length, checksum) + tags


def multiboot2_elf(bits, tags=MB2_END, **kw):
    """An ELF whose code follows a multiboot2 header (8-byte aligned, as the header must be)."""
    hdr = (64 + 56) if bits == 64 else (52 + 32)
    off = (hdr + 15) & ~15
    body = multiboot2_header(tags, **kw)
    body += bytes((-len(body)) % 8) + EXIT_CODE
    size = off + len(body)
    return elf(bits, [(PT_LOAD, 0, LOAD, size, size)], LOAD + size - len(EXIT_CODE), body=body,
               body_off=off)


def multiboot2_address(entry_off=0x40, with_entry=True):
    """Not ELF: the address tag (the file loads from its start at LOAD) and the entry tag."""
    tags = struct.pack("<HHIIIII", 2, 0, 24, LOAD, 0xFFFFFFFF, 0, 0)
    if with_entry:
        tags += struct.pack("<HHII", 3, 0, 12, LOAD + entry_off) + bytes(4)
    image = multiboot2_header(tags + MB2_END)
    return image + bytes(0x40 - len(image)) + EXIT_CODE


def xen_note(entry):
    return struct.pack("<III", 4, 4, 18) + b"Xen\0" + struct.pack("<I", entry)


def pvh_elf():
    ehsize, phentsize = 64, 56
    note_off = ehsize + 2 * phentsize
    note = xen_note(0)  # entry patched below
    code_off = (note_off + len(note) + 15) & ~15
    size = code_off + len(EXIT_CODE)
    note = xen_note(LOAD + code_off)
    segs = [(PT_LOAD, 0, LOAD, size, size), (PT_NOTE, note_off, 0, len(note), len(note))]
    image = elf(64, segs, LOAD + code_off, body=note, body_off=note_off)
    return image + bytes(code_off - len(image)) + EXIT_CODE


def bzimage(version=0x020F, loadflags=0x01, xloadflags=0x01, setup_sects=1, truncate=None,
            init_size=0x2000, jump=0x66):
    setup = bytearray(512 * (setup_sects + 1))
    kernel = bytearray(0x210)
    kernel[0:len(EXIT_CODE)] = EXIT_CODE            # 32-bit entry (code32_start)
    kernel[0x200:0x200 + len(EXIT_CODE)] = EXIT_CODE  # 64-bit entry, load address + 0x200
    setup[0x1F1] = setup_sects
    struct.pack_into("<I", setup, 0x1F4, len(kernel) // 16)   # syssize
    struct.pack_into("<H", setup, 0x1FE, 0xAA55)              # boot flag
    setup[0x200] = 0xEB                                        # jmp short
    setup[0x201] = jump                                        # the header ends at 0x202 + this
    setup[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", setup, 0x206, version)
    setup[0x211] = loadflags
    struct.pack_into("<I", setup, 0x214, LOAD)                # code32_start
    struct.pack_into("<I", setup, 0x22C, 0x37FFFFFF)          # initrd_addr_max
    struct.pack_into("<H", setup, 0x236, xloadflags)
    struct.pack_into("<I", setup, 0x238, 0x7FF)               # cmdline_size
    struct.pack_into("<I", setup, 0x260, init_size)
    image = bytes(setup) + bytes(kernel)
    return image[:truncate] if truncate else image


def loader_seeds():
    bad_machine = bytearray(simple_elf(64))
    struct.pack_into("<H", bad_machine, 18, EM_386)
    big_endian = bytearray(simple_elf(32))
    big_endian[5] = 2
    return {
        "raw-cli-hlt": bytes([0xFA, 0xF4]),
        "raw-exit-port": EXIT_CODE,
        "elf32-exit": simple_elf(32),
        "elf64-exit": simple_elf(64),
        "elf64-bss": simple_elf(64, extra_bss=0x3000),
        "elf32-high-paddr": simple_elf(32, paddr=0x800000),
        "multiboot-elf32": multiboot_elf(),
        "multiboot-aout-kludge": multiboot_kludge(),
        "multiboot-elf64": multiboot_elf(64),
        "multiboot2-elf32": multiboot2_elf(32),
        "multiboot2-elf64": multiboot2_elf(64),
        "multiboot2-address-tags": multiboot2_address(),
        "pvh-vmlinux": pvh_elf(),
        "bzimage-64bit-entry": bzimage(),
        "bzimage-32bit-entry": bzimage(version=0x020A, xloadflags=0),
        # each of these is refused, by a different check
        "empty": b"",
        "elf-truncated-header": simple_elf(64)[:40],
        "elf-bad-class": b"\x7fELF\x05" + bytes(60),
        "elf-big-endian": bytes(big_endian),
        "elf-wrong-machine": bytes(bad_machine),
        "elf-not-executable": simple_elf(64, etype=3),
        "elf-no-program-headers": simple_elf(64, phnum=0),
        "elf-program-headers-past-end": simple_elf(32, phnum=200),
        "elf-segment-in-reserved-area": simple_elf(64, paddr=0x2000),
        "elf-segment-in-the-hole": simple_elf(32, paddr=0xC0001000),
        "elf-segment-wraps": elf(64, [(PT_LOAD, 0, 0xFFFFFFFFFFFFF000, 0x40, 0x2000)], LOAD),
        "elf-filesz-over-memsz": elf(32, [(PT_LOAD, 0, LOAD, 0x80, 0x40)], LOAD),
        "elf-segment-past-file": elf(32, [(PT_LOAD, 0x10, LOAD, 0xFFFFFFF0, 0xFFFFFFF0)], LOAD),
        "elf-entry-outside": simple_elf(32, entry_delta=0x10000),
        "elf64-entry-above-4g": elf(64, [(PT_LOAD, 0, 0x100000000, 0x40, 0x100)], 0x100000000),
        "multiboot-unknown-flags": multiboot_header(0x8) + EXIT_CODE,
        "multiboot-kludge-truncated": multiboot_header(0x10003, (LOAD,)),
        "multiboot-kludge-load-end-below": multiboot_kludge(load_end=LOAD - 1),
        "multiboot-kludge-inconsistent": multiboot_kludge(load_addr=LOAD + 0x100),
        "multiboot-kludge-entry-outside": multiboot_kludge(entry_off=0x100000),
        "multiboot2-bad-checksum": multiboot2_elf(32, checksum_delta=1),
        "multiboot2-unknown-required-tag": multiboot2_elf(32, struct.pack("<HHI", 42, 0, 8) + MB2_END),
        "multiboot2-requires-framebuffer": multiboot2_elf(
            32, struct.pack("<HHIIII", 5, 0, 20, 1024, 768, 32) + bytes(4) + MB2_END),
        "multiboot2-no-end-tag": multiboot2_elf(32, struct.pack("<HHI", 6, 0, 8)),
        "multiboot2-address-without-entry": multiboot2_address(with_entry=False),
        "multiboot2-truncated": multiboot2_elf(32)[:0x70],
        "bzimage-old-protocol": bzimage(version=0x0200),
        "bzimage-zimage": bzimage(loadflags=0),
        "bzimage-truncated-header": bzimage(truncate=0x240),
        "bzimage-truncated-kernel": bzimage(truncate=0x500),
        "bzimage-huge-init-size": bzimage(init_size=0xFFFFFFFF),
        "bzimage-long-header": bzimage(jump=0xFF),
    }


# ---- regs --------------------------------------------------------------------------------------

G_SIZE = {0: 352, 1: 352, 2: 608}
OP_G, OP_P, OP_ENCODE_P, OP_XML, OP_NUMBER = range(5)


def regs_input(arch, op, n, text):
    return bytes([arch, op]) + struct.pack("<h", n) + text


def regs_seeds():
    seeds = {}
    for arch, name in ((0, "i8086"), (1, "i386"), (2, "x86_64")):
        g = bytes((i * 37 + 11) & 0xFF for i in range(G_SIZE[arch])).hex().encode()
        seeds["G-%s" % name] = regs_input(arch, OP_G, 0, g)
        seeds["G-%s-upper" % name] = regs_input(arch, OP_G, 0, g.upper())
        seeds["G-%s-short" % name] = regs_input(arch, OP_G, 0, g[:-2])
        seeds["xml-%s" % name] = regs_input(arch, OP_XML, 0, b"")
        seeds["p-%s-out-of-range" % name] = regs_input(arch, OP_ENCODE_P, 1000, b"")
        seeds["p-%s-negative" % name] = regs_input(arch, OP_ENCODE_P, -1, b"")
    seeds["P-x86_64-rax"] = regs_input(2, OP_P, 0, b"0123456789abcdef")
    seeds["P-x86_64-eflags"] = regs_input(2, OP_P, 17, b"46020000")
    seeds["P-x86_64-st0"] = regs_input(2, OP_P, 24, b"00000000000000800040")
    seeds["P-x86_64-xmm15"] = regs_input(2, OP_P, 55, b"00112233445566778899aabbccddeeff")
    seeds["P-i386-efer"] = regs_input(1, OP_P, 51, b"0005000000000000")
    seeds["P-i386-bad-hex"] = regs_input(1, OP_P, 8, b"0010zz00")
    seeds["number-max"] = regs_input(2, OP_NUMBER, 0, b"ffffffffffffffff")
    seeds["number-overflow"] = regs_input(2, OP_NUMBER, 0, b"10000000000000000")
    seeds["number-leading-zeros"] = regs_input(2, OP_NUMBER, 0, b"00000000000000000001,4")
    seeds["number-none"] = regs_input(2, OP_NUMBER, 0, b",1")
    return seeds


def write(dirname, seeds):
    os.makedirs(dirname, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(dirname, name), "wb") as f:
            f.write(data)
    print("%s: %d seeds, %d bytes" % (dirname, len(seeds), sum(len(d) for d in seeds.values())))


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus"
    write(os.path.join(corpus, "loader"), loader_seeds())
    write(os.path.join(corpus, "regs"), regs_seeds())


if __name__ == "__main__":
    main()
