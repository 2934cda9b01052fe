#!/usr/bin/env python3
"""Dev-only cross-check: convert Volatility 2 mac profile zips to Volatility 3 ISF.

A deliberately straightforward converter, independent of xnuscope's importer:
BitField start/end become bit_position/bit_length exactly as written, so the
garbage members of the real profiles (end_bit 72, start_bit -18446744073709551606)
are kept as they are. Volatility 3 loads such files; xnuscope must too, dropping
only what it cannot represent.

  scripts/dev/vol2-to-isf.py ZIP_FOLDER OUT_FOLDER

Writes OUT_FOLDER/<zip stem>.isf.json per zip. The zips and the ISFs are dev-only
data: never commit them.
"""
import ast
import base64
import json
import pathlib
import re
import sys
import zipfile

BASE_TYPES = {
    "char": (1, "char", True), "signed char": (1, "char", True), "unsigned char": (1, "char", False),
    "short": (2, "int", True), "short int": (2, "int", True), "unsigned short": (2, "int", False),
    "short unsigned int": (2, "int", False), "int": (4, "int", True), "unsigned int": (4, "int", False),
    "long": (8, "int", True), "long int": (8, "int", True), "unsigned long": (8, "int", False),
    "long unsigned int": (8, "int", False), "long long": (8, "int", True),
    "long long int": (8, "int", True), "unsigned long long": (8, "int", False),
    "long long unsigned int": (8, "int", False), "_Bool": (1, "bool", False),
    "bool": (1, "bool", False), "float": (4, "float", True), "double": (8, "float", True),
    "long double": (16, "float", True), "void": (0, "void", False), "pointer": (8, "int", False),
}
SYMBOL_LINE = re.compile(r"^\[\s*\d+\]\s+\S+\s+(\S+)\s+\(([^)]*)\)\s+\S+\s+\S+\s+([0-9a-fA-F]+)\s+'(.*)'\s*$")


def type_of(descriptor, structs, base_names):
    kind = descriptor[0]
    if kind in ("pointer", "pointer32", "pointer64"):
        sub = type_of(descriptor[1], structs, base_names) if len(descriptor) > 1 else {"kind": "base", "name": "void"}
        base_names.add("pointer")
        return {"kind": "pointer", "subtype": sub}
    if kind == "array":
        return {"kind": "array", "count": descriptor[1], "subtype": type_of(descriptor[2], structs, base_names)}
    if kind == "BitField":
        info = descriptor[1]
        native = info.get("native_type", "unsigned int")
        base_names.add(native)
        return {"kind": "bitfield", "bit_position": info["start_bit"],
                "bit_length": info["end_bit"] - info["start_bit"],
                "type": {"kind": "base", "name": native}}
    if kind == "Enumeration":
        target = descriptor[1].get("target", "int") if len(descriptor) > 1 else "int"
        base_names.add(target)
        return {"kind": "base", "name": target}
    if kind in BASE_TYPES:
        base_names.add(kind)
        return {"kind": "base", "name": kind}
    if kind in structs:
        return {"kind": "struct", "name": kind}
    base_names.add("void")
    return {"kind": "base", "name": "void"}  # a name the profile never defines


def convert(zip_path, out_dir):
    with zipfile.ZipFile(zip_path) as archive:
        vtypes = next(n for n in archive.namelist() if n.endswith(".vtypes"))
        dsym = next(n for n in archive.namelist() if n.endswith(".dsymutil"))
        source = archive.read(vtypes).decode("latin-1")
        listing = archive.read(dsym).decode("latin-1")
    source = re.sub(r"(\b0x[0-9a-fA-F]+|\b\d+)[lL]\b", r"\1", source)  # Python 2 longs
    tree = ast.parse(source)
    mac_types = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "mac_types":
            mac_types = ast.literal_eval(node.value)
    base_names = set()
    user_types = {}
    for name, (size, members) in mac_types.items():
        fields = {m: {"offset": off, "type": type_of(t, mac_types, base_names)}
                  for m, (off, t) in members.items()}
        user_types[name] = {"kind": "struct", "size": size, "fields": fields}
    symbols = {}
    for line in listing.splitlines():
        match = SYMBOL_LINE.match(line)
        if not match or "SECT" not in match.group(2):
            continue
        name = match.group(4)
        if name.startswith("_"):
            symbols.setdefault(name[1:], {"address": int(match.group(3), 16)})
    stem = pathlib.Path(zip_path).stem
    isf = {
        "metadata": {"format": "6.2.0",
                     "producer": {"name": "vol2-to-isf.py", "version": "1"},
                     "mac": {"symbols": [{"kind": "symtab", "name": stem, "hash_type": "none", "hash_value": ""}],
                             "types": [{"kind": "dwarf", "name": stem}]}},
        "base_types": {n: {"kind": BASE_TYPES.get(n, (0, "void", False))[1], "size": BASE_TYPES.get(n, (0,))[0],
                           "signed": BASE_TYPES.get(n, (0, "", False))[2], "endian": "little"}
                       for n in sorted(base_names)},
        "user_types": user_types,
        "enums": {},
        "symbols": symbols,
    }
    out = pathlib.Path(out_dir) / (stem + ".isf.json")
    out.write_text(json.dumps(isf))
    garbage = sum(1 for t in user_types.values() for f in t["fields"].values()
                  if f["type"]["kind"] == "bitfield"
                  and not (0 <= f["type"]["bit_position"] <= 63 and 1 <= f["type"]["bit_length"] <= 64))
    print(f"{out}: {len(user_types)} types, {len(symbols)} symbols, {garbage} out-of-range bitfields kept")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    pathlib.Path(sys.argv[2]).mkdir(parents=True, exist_ok=True)
    for zip_path in sorted(pathlib.Path(sys.argv[1]).glob("*.zip")):
        convert(zip_path, sys.argv[2])


if __name__ == "__main__":
    main()
