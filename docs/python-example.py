#!/usr/bin/env python3
"""What a forensic script looks like with xnuscope's Python module.

    PYTHONPATH=build/python python3 docs/python-example.py mem.raw
    PYTHONPATH=build/python python3 docs/python-example.py --qemu /dev/shm/vm.mem /tmp/vm.qmp

Prints the kernel, the process tree, the largest executable mappings of one
process with the first bytes of its first one, and the last kernel messages.
"""

import argparse
import sys

import xnuscope


def print_tree(processes):
    children = {}
    for p in processes:
        if p.pid != p.ppid:  # kernel_task is its own parent
            children.setdefault(p.ppid, []).append(p)
    pids = {p.pid for p in processes}
    roots = [p for p in processes if p.ppid not in pids or p.pid == p.ppid]

    def show(p, depth):
        flag = " (zombie)" if p.zombie else ""
        print("  %s%-6d %s%s" % ("  " * depth, p.pid, p.name, flag))
        for child in sorted(children.get(p.pid, []), key=lambda c: c.pid):
            show(child, depth + 1)

    for root in sorted(roots, key=lambda r: r.pid):
        show(root, 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image", nargs="?", help="memory snapshot (raw, ELF core, LiME)")
    parser.add_argument("--qemu", nargs=2, metavar=("MEM", "QMP"), help="a running QEMU VM")
    parser.add_argument("--pid", type=int, default=1, help="process whose maps to show")
    args = parser.parse_args()

    try:
        if args.qemu:
            target = xnuscope.open_qemu(args.qemu[0], args.qemu[1], freeze=True)
        elif args.image:
            target = xnuscope.open(args.image)
        else:
            parser.error("give an image or --qemu MEM QMP")

        info = target.info()
        print("kernel  build %s, base %#x, slide %#x, DTB %#x" %
              (info.build, info.kernel_base_va, info.kaslr_slide, info.dtb))
        print("profile %s [%s]" % (info.profile, info.profile_origin))

        processes = target.processes()
        print("\n%d processes (from %s)%s" % (len(processes), processes.source,
                                              "" if processes.complete else ", incomplete:"))
        for warning in processes.warnings:
            print("  warning:", warning)
        print_tree(processes)

        maps = target.maps(args.pid)
        executable = [m for m in maps if "x" in m.prot]
        print("\npid %d (%s): %d mappings, %d executable, %#x bytes" %
              (maps.pid, maps.name, len(maps), len(executable), maps.total_size))
        for m in sorted(executable, key=lambda m: m.size, reverse=True)[:5]:
            print("  %#014x-%#014x %s %8d KiB" % (m.start, m.end, m.prot, m.size // 1024))
        if executable and maps.source != "beacon":
            first = executable[0]
            data = target.read_virtual(args.pid, first.start, 16, allow_holes=True)
            print("  first bytes at %#x: %s" % (first.start, data.hex(" ")))

        if processes.source != "beacon":
            print("\nlast kernel messages:")
            for line in target.dmesg().splitlines()[-3:]:
                print("  " + line)
    except xnuscope.InputError as error:
        print("cannot use the input:", error, file=sys.stderr)
        return 2
    except xnuscope.AnalysisError as error:
        print("no answer:", error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
