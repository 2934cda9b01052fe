#!/usr/bin/env python3
"""Writes a seed corpus for one libFuzzer target (see scripts/fuzz.sh).

  scripts/fuzz-seeds.py TARGET OUT_DIR

Seeds come from the fixture forge (small guests made on the spot, cut to the parts a
target reads) and from files in the repository; nothing here is committed. Standard
library only.
"""
import gzip
import io
import json
import lzma
import os
import pathlib
import struct
import subprocess
import sys
import tempfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROFILE = ROOT / "xnu_profiles" / "HighSierra_10.13.6_17G65.json"
BUILD = "HighSierra_10.13.6_17G65"


def forge(tmp, fmt, extra=()):
    """A small forge guest; returns (image path, truth)."""
    out = pathlib.Path(tmp) / ("guest." + fmt)
    source = ["--build", BUILD]
    subprocess.run([sys.executable, str(ROOT / "fixtures" / "forge"), "generate", *source,
                    "--ram", "64M", "--procs", "4", "--seed", "3", "--format", fmt,
                    "--out", str(out), "--quiet", *extra], check=True)
    truth = json.loads(pathlib.Path(str(out) + ".truth.json").read_text())
    return out, truth


def hexnum(text):
    return int(text, 16) if isinstance(text, str) else int(text)


def page_table_seed():
    """PML4 at 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000, 4K, 2M and 1G leaves."""
    memory = bytearray(0x6000)
    struct.pack_into("<QQ", memory, 0, 0x1000, 0xffffff8000200000)  # cr3, a VA to translate
    present = 0x3
    struct.pack_into("<Q", memory, 0x1000 + 8 * 511, 0x2000 | present)
    struct.pack_into("<Q", memory, 0x1000 + 8 * 0, 0x2000 | present | 0x4)
    struct.pack_into("<Q", memory, 0x2000 + 8 * 0, 0x3000 | present)
    struct.pack_into("<Q", memory, 0x2000 + 8 * 1, 0x40000000 | present | 0x80)  # 1 GiB
    struct.pack_into("<Q", memory, 0x3000 + 8 * 1, 0x4000 | present)
    struct.pack_into("<Q", memory, 0x3000 + 8 * 2, 0x200000 | present | 0x80)  # 2 MiB
    for i in range(8):
        struct.pack_into("<Q", memory, 0x4000 + 8 * i, (0x5000 + i * 0x1000) | present)
    return bytes(memory)


def small_vtypes():
    return ("mac_types = {\n"
            "  'proc': [0x390, {'p_pid': [0x10, ['int']], 'p_comm': [0x2f8, ['array', 17, ['char']]],\n"
            "    'p_list': [0x0, ['__unnamed_1']], 'flags': [0x20, ['BitField', {'end_bit': 3, 'start_bit': 1, 'native_type': 'unsigned int'}]],\n"
            "    'task': [0x18, ['pointer', ['void']]], 'e': [0x28, ['Enumeration', {'target': 'int', 'choices': {0: 'A'}}]]}],\n"
            "  '__unnamed_1': [0x10, {'le_next': [0x0, ['pointer', ['proc']]], 'le_prev': [0x8, ['pointer', ['pointer', ['proc']]]]}],\n"
            "}\n")


def small_dsymutil():
    return ("Index    n_strx   n_type             n_sect n_desc n_value\n"
            "[     0] 00000004 0f (     SECT EXT) 08     0000   ffffff8000a0560c '_allproc'\n"
            "[     1] 00000017 0e (     SECT    ) 01     0000   ffffff8000200000 '_version'\n")


def zip_bytes(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def seeds(target, tmp):
    if target == "fuzz_image_file":
        for fmt in ("raw", "elf", "lime"):
            image, _ = forge(tmp, fmt)
            yield fmt + "-head", image.read_bytes()[:65536]
    elif target == "fuzz_macho":
        image, truth = forge(tmp, "raw")
        kernel = pathlib.Path(str(image) + ".kernel").read_bytes()
        yield "kernel-head", kernel[:65536]
        base = hexnum(truth["kernel_base_pa"])
        yield "kernel-in-memory", image.read_bytes()[base:base + 65536]
    elif target == "fuzz_lowglo_banner":
        image, truth = forge(tmp, "raw")
        pa = hexnum(truth["lowglo_pa"])
        yield "lowglo", image.read_bytes()[pa:pa + 4096]
        yield "banner", truth["banner"].encode()
    elif target == "fuzz_page_tables":
        yield "tables", page_table_seed()
    elif target == "fuzz_xnu_walkers":
        yield "zeros", bytes(8192)
    elif target in ("fuzz_vol2_zip", "fuzz_python_literal"):
        vtypes = small_vtypes()
        if target == "fuzz_python_literal":
            yield "vtypes", vtypes.encode()
            yield "assign", b"a = [1, -2, 0x10, 5L, 'x\\xff', (1, 2), {'k': None, 3: True}]\n"
        else:
            yield "zip", zip_bytes({"k.vtypes": vtypes, "k.symbol.dsymutil": small_dsymutil()})
    elif target == "fuzz_profile_json":
        text = PROFILE.read_bytes()
        yield "native", text
        yield "native-gz", gzip.compress(text)
        yield "native-xz", lzma.compress(text)
        image, _ = forge(tmp, "raw")
        isf = pathlib.Path(str(image) + ".isf.json").read_bytes()
        yield "isf", isf
        yield "isf-gz", gzip.compress(isf)
    elif target == "fuzz_beacons":
        page = bytearray(4096 * 2)
        for i in range(16):
            struct.pack_into("<I", page, 4 * i, 0x3142FACE)
        yield "magic-page", bytes(page)
    elif target == "fuzz_qemu_text":
        mtree = ROOT / "tests" / "data" / "live" / "mtree_q35_3g_64k_bios.txt"
        yield "mtree", mtree.read_bytes()
        yield "registers", (b"RAX=0000000000000000 RBX=0000000000000000\n"
                            b"CR0=80050033 CR2=0000000000000000 CR3=00000000021cc000 CR4=000606e0\n")
        greeting = {"QMP": {"version": {"qemu": {"major": 7, "minor": 2, "micro": 0}}, "capabilities": []}}
        yield "qmp", (json.dumps(greeting) + "\r\n" + json.dumps({"return": {}}) + "\r\n"
                      + json.dumps({"return": {"status": "running", "running": True}, "id": 2}) + "\r\n").encode()
    elif target == "fuzz_dwarf":
        # The test kernel of tests/profile/DwarfGeneratorTest, built the same way.
        source = ROOT / "tests" / "data" / "profile" / "fake_xnu.c"
        work = pathlib.Path(tmp)
        subprocess.run(["clang-14", "-target", "x86_64-apple-macos10.13", "-g", "-c", str(source),
                        "-o", str(work / "fake.o")], check=True)
        subprocess.run(["ld64.lld-14", "-arch", "x86_64", "-platform_version", "macos", "10.13",
                        "10.13", "-e", "_start", "-o", str(work / "kernel"), str(work / "fake.o")],
                       check=True)
        subprocess.run(["dsymutil-14", str(work / "kernel"), "-o", str(work / "kernel.dSYM")],
                       check=True)
        dwarf = work / "kernel.dSYM" / "Contents" / "Resources" / "DWARF" / "kernel"
        yield "dsym-dwarf", dwarf.read_bytes()
        yield "object-with-dwarf", (work / "fake.o").read_bytes()
    else:
        sys.exit(f"fuzz-seeds: unknown target {target}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    target, out = sys.argv[1], pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in seeds(target, tmp):
            (out / name).write_bytes(data)
    print(f"fuzz-seeds: {target}: {len(os.listdir(out))} seeds in {out}")


if __name__ == "__main__":
    main()
