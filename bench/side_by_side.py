#!/usr/bin/env python3
"""Side-by-side benchmark: xnuscope (and Volatility 3 where installed) on the same
guest grown to several RAM sizes.

For each size (default 256M 2G 16G 64G) the fixture forge writes one guest (same
seed, same processes) as a sparse raw image into ~/.cache/xnuscope/bench/. Then:
  - xnuscope pslist (profile given) and info: wall time and peak RSS from
    /usr/bin/time -v, bytes_touched from `info --format json`, and whether pslist
    lists the same processes as on the smallest image;
  - Volatility 3 mac.pslist, when --vol3 names its vol.py (an ISF symbol table the
    forge wrote for the guest is given with -s);
  - the scan rate: `xnuscope beacons` (one whole-image scan) against a plain
    sequential read of the same file (dd, 8 MiB blocks) in the same run, page
    cache warm for both, printed as a ratio.
Results are a benchmark, not a test: a table (Markdown + CSV) and a plot (gnuplot,
when installed) in --out (default bench/results/).

  python3 bench/side_by_side.py --xnuscope build/xnuscope [--vol3 /path/vol.py]
      [--sizes 256M,2G,16G,64G] [--scan-sizes 2G] [--runs 3]
"""
import argparse
import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FORGE = os.path.join(ROOT, "fixtures", "forge")
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "xnuscope", "bench")


def parse_size(text):
    m = re.fullmatch(r"(\d+)([KMG])", text.upper())
    if not m:
        raise SystemExit("side_by_side: bad size %r (use e.g. 256M or 64G)" % text)
    return int(m.group(1)) << {"K": 10, "M": 20, "G": 30}[m.group(2)]


def forge_image(size, args):
    """Forges (once, cached by arguments) the guest with `size` of RAM."""
    source = ["--build", args.build] if args.forge_build else ["--profile", args.profile]
    key = hashlib.sha256(" ".join(source + [size, str(args.seed), str(args.procs)]).encode())
    folder = os.path.join(CACHE, "side-by-side-" + key.hexdigest()[:16])
    image = os.path.join(folder, "image.raw")
    if not os.path.exists(image + ".truth.json"):
        os.makedirs(folder, exist_ok=True)
        subprocess.run([sys.executable, FORGE, "generate", *source, "--seed", str(args.seed),
                        "--procs", str(args.procs), "--ram", size, "--format", "raw",
                        "--out", image, "--quiet"], check=True)
    return image


def timed(command, env=None):
    """Runs `command` under /usr/bin/time -v: (stdout, seconds, peak RSS in KiB)."""
    result = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True,
                            env=env)
    if result.returncode != 0:
        message = result.stderr.split("\tCommand being timed")[0].strip()
        raise RuntimeError("%s failed (%d): %s" % (command[0], result.returncode, message[-800:]))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", result.stderr)
    parts = [float(p) for p in wall.group(1).split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    return result.stdout, seconds, rss


def best_of(runs, command):
    """Best wall time of `runs` runs; RSS is the largest seen (it barely varies)."""
    best = None
    for _ in range(runs):
        out, seconds, rss = timed(command)
        if best is None or seconds < best[1]:
            best = (out, seconds, max(rss, best[2] if best else 0))
    return best


def read_rate(path, limit):
    """Bytes/s of a plain sequential read (dd, 8 MiB blocks) of the first `limit` bytes."""
    blocks = max(1, limit // (8 << 20))
    start = time.monotonic()
    subprocess.run(["dd", "if=" + path, "of=/dev/null", "bs=8M", "count=%d" % blocks],
                   check=True, capture_output=True)
    return blocks * (8 << 20) / (time.monotonic() - start), blocks * (8 << 20)


def process_list(pslist_json):
    return sorted((p["pid"], p["name"]) for p in json.loads(pslist_json)["processes"])


def run(args):
    sizes = args.sizes.split(",")
    rows = []
    baseline = None
    for size in sizes:
        image = forge_image(size, args)
        isf = image + ".isf.json"
        xnu = [args.xnuscope, "--quiet", "--image", image, "--profile", isf]
        ps_out, ps_time, ps_rss = best_of(args.runs, xnu + ["pslist", "--format", "json"])
        info_out, info_time, info_rss = best_of(args.runs, xnu + ["info", "--format", "json"])
        info = json.loads(info_out)
        processes = process_list(ps_out)
        if baseline is None:
            baseline = (size, processes, ps_time)
        row = {
            "ram": size,
            "file_bytes": os.path.getsize(image),
            "pslist_s": round(ps_time, 3),
            "pslist_rss_mib": round(ps_rss / 1024, 1),
            "info_s": round(info_time, 3),
            "info_rss_mib": round(info_rss / 1024, 1),
            "bytes_touched": info["bytes_touched"],
            "processes": len(processes),
            "same_processes_as_" + sizes[0]: processes == baseline[1],
            "pslist_time_vs_" + sizes[0]: round(ps_time / baseline[2], 2),
            "vol3_pslist_s": "",
        "vol3_same_pids": "",
            "vol3_rss_mib": "",
            "speedup_vs_vol3": "",
        }
        if args.vol3 and parse_size(size) <= parse_size(args.vol3_max):
            symbols = os.path.join(os.path.dirname(image), "vol3-symbols")
            os.makedirs(os.path.join(symbols, "mac"), exist_ok=True)
            shutil.copyfile(isf, os.path.join(symbols, "mac", "guest.json"))
            try:
                vol_out, vol_time, vol_rss = timed([args.vol3_python, args.vol3, "-q", "-s", symbols,
                                                    "-f", image, "-r", "json", "mac.pslist"])
                vol_pids = sorted(p["PID"] for p in json.loads(vol_out))
                row["vol3_pslist_s"] = round(vol_time, 2)
                row["vol3_rss_mib"] = round(vol_rss / 1024, 1)
                row["speedup_vs_vol3"] = round(vol_time / ps_time, 1)
                row["vol3_same_pids"] = vol_pids == sorted(p for p, _ in processes)
            except Exception as error:  # reported in the table, not fatal
                row["vol3_pslist_s"] = "failed"
                print("side_by_side: Volatility 3 on %s: %s" % (size, error), file=sys.stderr)
        if size in args.scan_sizes.split(","):
            # Plain read first (fills the page cache for both), then the scan.
            read_rate(image, parse_size(size))
            rate, _ = read_rate(image, parse_size(size))
            out, scan_time, scan_rss = best_of(1, [args.xnuscope, "--quiet", "--image", image,
                                                   "beacons", "--format", "json"])
            scanned = json.loads(out)["bytes_scanned"]
            row["read_gib_s"] = round(rate / 2**30, 2)
            row["scan_gib_s"] = round(scanned / scan_time / 2**30, 2)
            row["scan_vs_read"] = round(scanned / scan_time / rate, 2)
            print("scan rate %s: %.2f GiB/s vs plain read %.2f GiB/s = %.0f%% of the read rate"
                  % (size, row["scan_gib_s"], row["read_gib_s"], 100 * row["scan_vs_read"]))
        rows.append(row)
        print(json.dumps(row))
    return rows


def write_outputs(rows, out):
    os.makedirs(out, exist_ok=True)
    fields = []
    for row in rows:
        fields += [k for k in row if k not in fields]
    with open(os.path.join(out, "side_by_side.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    with open(os.path.join(out, "side_by_side.md"), "w") as f:
        f.write("| " + " | ".join(fields) + " |\n|" + "---|" * len(fields) + "\n")
        for row in rows:
            f.write("| " + " | ".join(str(row.get(k, "")) for k in fields) + " |\n")
    data = os.path.join(out, "side_by_side.dat")
    with open(data, "w") as f:
        f.write("# ram_gib pslist_s pslist_rss_mib info_s bytes_touched_mib vol3_s\n")
        for row in rows:
            f.write("%g %s %s %s %g %s\n" % (parse_size(row["ram"]) / 2**30, row["pslist_s"],
                                              row["pslist_rss_mib"], row["info_s"],
                                              row["bytes_touched"] / 2**20,
                                              row["vol3_pslist_s"] if isinstance(
                                                  row["vol3_pslist_s"], float) else "NaN"))
    if shutil.which("gnuplot"):
        script = """
set terminal pngcairo size 900,420 noenhanced
set output '%s'
set multiplot layout 1,2 title 'xnuscope on the same guest grown to more RAM (sparse raw image)'
set logscale x 2
set xlabel 'guest RAM (GiB)'
set key top left
set ylabel 'seconds (best of runs)'
set yrange [0:*]
plot '%s' using 1:2 with linespoints title 'pslist', '' using 1:4 with linespoints title 'info', '' using 1:6 with linespoints title 'Volatility 3 mac.pslist'
set ylabel 'MiB'
plot '%s' using 1:3 with linespoints title 'pslist peak RSS', '' using 1:5 with linespoints title 'bytes touched by the locator', 128 with lines dashtype 2 title '128 MiB'
unset multiplot
""" % (os.path.join(out, "side_by_side.png"), data, data)
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    else:
        print("side_by_side: gnuplot not installed (scripts/setup.sh installs gnuplot-nox); "
              "no plot written")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--xnuscope", default=os.path.join(ROOT, "build", "xnuscope"))
    parser.add_argument("--vol3", help="Volatility 3's vol.py (run with this Python)")
    parser.add_argument("--vol3-python", default="/usr/bin/python3",
                        help="Python with Volatility 3's needs (Debian: python3-pefile, "
                             "python3-jsonschema)")
    parser.add_argument("--vol3-max", default="2G", help="largest image given to Volatility 3")
    parser.add_argument("--sizes", default="256M,2G,16G,64G")
    parser.add_argument("--scan-sizes", default="2G",
                        help="sizes whose whole-image scan rate is measured (reads them twice)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--procs", type=int, default=100)
    parser.add_argument("--build", default="HighSierra_10.13.6_17G65",
                        help="real build the forge writes (xnu_profiles/ + symbols/)")
    parser.add_argument("--profile", default=None,
                        help="forge from this Volatility 2 profile zip instead of --build")
    parser.add_argument("--out", default=os.path.join(HERE, "results"))
    args = parser.parse_args()
    args.forge_build = args.profile is None
    if not os.access(args.xnuscope, os.X_OK):
        raise SystemExit("side_by_side: no xnuscope binary at %s (build it, or --xnuscope PATH)"
                         % args.xnuscope)
    write_outputs(run(args), args.out)


if __name__ == "__main__":
    main()
