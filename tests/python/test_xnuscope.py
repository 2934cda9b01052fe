"""The xnuscope Python module against forge images (fixtures/forge, an independent
oracle) and against the CLI: the process list Python sees must equal both the
forge's truth and `xnuscope pslist --format json` on the same image.

Run by ctest (`python.api`) with PYTHONPATH=<build>/python and the XNUSCOPE_*
variables below; by hand:
    PYTHONPATH=build/python XNUSCOPE_CLI=build/xnuscope python3 -m unittest -v \
        tests/python/test_xnuscope.py
"""

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import xnuscope

SOURCE_DIR = os.environ.get(
    "XNUSCOPE_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
FORGE = os.environ.get("XNUSCOPE_FORGE", os.path.join(SOURCE_DIR, "fixtures", "forge"))
CACHE = os.environ.get("XNUSCOPE_FIXTURE_CACHE", os.path.expanduser("~/.cache/xnuscope/fixtures"))
CLI = os.environ.get("XNUSCOPE_CLI", os.path.join(SOURCE_DIR, "build", "xnuscope"))
PROFILES = os.path.join(SOURCE_DIR, "xnu_profiles")


def forge_sources_digest():
    """Images are cached per forge source version, like tests/support/ForgeImages."""
    digest = hashlib.sha256()
    for name in sorted(os.listdir(FORGE)):
        if name.endswith(".py"):
            digest.update(name.encode())
            with open(os.path.join(FORGE, name), "rb") as f:
                digest.update(f.read())
    return digest.hexdigest()[:16]


def forge_image(build, *args):
    """A raw forge image of one of the project's builds (xnu_profiles/ + symbols/),
    generated once, then cached."""
    key = hashlib.sha256(repr((build, args)).encode())
    for data in (os.path.join(PROFILES, build + ".json"),
                 os.path.join(SOURCE_DIR, "symbols", build + ".txt.xz")):
        with open(data, "rb") as f:
            key.update(f.read())
    key = key.hexdigest()[:16]
    folder = os.path.join(CACHE, "python-api", forge_sources_digest() + "-" + key)
    image = os.path.join(folder, "guest.raw")
    if os.path.exists(image + ".truth.json"):
        return image
    os.makedirs(os.path.dirname(folder), exist_ok=True)
    tmp = tempfile.mkdtemp(dir=os.path.dirname(folder))
    subprocess.run([sys.executable, FORGE, "generate", "--build", build, *args, "--format", "raw",
                    "--out", os.path.join(tmp, "guest.raw"), "--quiet"], check=True)
    try:
        os.rename(tmp, folder)
    except OSError:  # another process made it first
        shutil.rmtree(tmp, ignore_errors=True)
    return image


def truth_of(image):
    with open(image + ".truth.json") as f:
        return json.load(f)


def cli_json(*args):
    done = subprocess.run([CLI, *args, "--format", "json"], capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0:
        raise AssertionError("xnuscope %s failed: %s" % (" ".join(args), done.stderr))
    return json.loads(done.stdout)


class ForgedGuestTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.image = forge_image("HighSierra_10.13.6_17G65", "--seed", "41", "--ram", "128M",
                                "--procs", "14", "--zombies", "1")
        cls.truth = truth_of(cls.image)
        cls.target = xnuscope.open(cls.image, profile_dirs=[PROFILES])

    def test_processes_equal_the_cli_and_the_forge_truth(self):
        processes = self.target.processes()
        self.assertTrue(processes.complete, processes.warnings)
        self.assertEqual(processes.source, "exact")
        cli = cli_json("pslist", "--image", self.image)["processes"]
        rows = [(p.pid, p.ppid, p.uid, p.name, p.address) for p in processes]
        self.assertEqual(rows, [(r["pid"], r["ppid"], r["uid"], r["name"], int(r["address"], 16))
                                for r in cli])
        self.assertEqual(rows, [(t["pid"], t["ppid"], t["uid"], t["name"], int(t["address"], 16))
                                for t in self.truth["processes"]])
        self.assertEqual(len(processes), len(self.truth["processes"]))
        self.assertEqual(processes[-1].pid, self.truth["processes"][-1]["pid"])
        self.assertEqual([p.zombie for p in processes],
                         [t["zombie"] for t in self.truth["processes"]])
        row = processes[0].to_dict()
        self.assertEqual(set(cli[0]) - {"start_time_epoch"} - set(row), set())

    def test_info_names_the_kernel_and_how_its_profile_was_chosen(self):
        info = self.target.info()
        self.assertEqual(info.kaslr_slide, int(self.truth["kaslr_slide"], 16))
        self.assertEqual(info.build, "17G65")
        self.assertEqual(info.profile_source, "exact")
        self.assertEqual(info.profile_origin, "auto (banner)")
        self.assertEqual([s.stage for s in info.steps],
                         ["locate", "exact profile", "profile check", "re-locate"])
        self.assertTrue(all(s.ok for s in info.steps))
        self.assertIn("17G65", repr(info))
        cli = cli_json("info", "--image", self.image)
        self.assertEqual(hex(info.dtb), cli["dtb"])
        self.assertEqual(hex(info.kernel_base_va), cli["kernel_base_va"])

    def test_maps_and_resident_pages_equal_the_truth(self):
        checked = 0
        for want in self.truth["processes"]:
            if want["zombie"] or want["map"] is None or not want["resident_pages"]:
                continue
            maps = self.target.maps(want["pid"])
            self.assertTrue(maps.complete, maps.warnings)
            self.assertEqual([(m.start, m.end, m.prot, m.maxprot) for m in maps],
                             [(int(m["start"], 16), int(m["end"], 16), m["prot"], m["maxprot"])
                              for m in want["maps"]])
            for page in want["resident_pages"]:
                data = self.target.read_virtual(want["pid"], int(page["va"], 16), 4096)
                self.assertEqual(hashlib.sha256(data).hexdigest(), page["sha256"])
            checked += 1
        self.assertGreater(checked, 2)

    def test_kexts_and_dmesg_equal_the_truth(self):
        kexts = self.target.kexts()
        self.assertEqual(sorted((k.name, k.address) for k in kexts),
                         sorted((k["name"], int(k["address"], 16)) for k in self.truth["kexts"]))
        self.assertEqual(self.target.dmesg(), self.truth["msgbuf"]["text"])

    def test_kernel_reads_and_holes(self):
        base = self.target.info().kernel_base_va
        self.assertEqual(self.target.read_virtual(None, base, 4), b"\xcf\xfa\xed\xfe")
        with self.assertRaises(xnuscope.AnalysisError) as raised:
            self.target.read_virtual(None, 0x1000, 0x2000)
        self.assertIn("allow_holes", str(raised.exception))
        self.assertEqual(self.target.read_virtual(None, 0x1000, 0x2000, allow_holes=True),
                         bytes(0x2000))
        self.assertEqual(self.target.holes(None, 0x1000, 0x2000), [(0x1000, 0x3000)])
        self.assertEqual(self.target.page_table_root(None), self.target.info().dtb)

    def test_the_documented_example_runs(self):
        example = os.path.join(SOURCE_DIR, "docs", "python-example.py")
        done = subprocess.run([sys.executable, example, self.image], capture_output=True,
                              text=True, timeout=300,
                              env=dict(os.environ, XNUSCOPE_PROFILES=PROFILES))
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("build 17G65", done.stdout)
        for process in self.truth["processes"]:
            self.assertIn(" %s" % process["name"], done.stdout)
        self.assertIn("pid 1 (launchd)", done.stdout)

    def test_bad_arguments_are_input_errors(self):
        with self.assertRaises(xnuscope.InputError):
            self.target.maps(99999)
        with self.assertRaises(xnuscope.InputError):
            self.target.read_virtual(None, 0, (1 << 30) + 1)
        self.assertTrue(issubclass(xnuscope.InputError, xnuscope.Error))
        self.assertTrue(issubclass(xnuscope.AnalysisError, xnuscope.Error))


class ErrorTest(unittest.TestCase):
    def test_missing_or_unusable_sources(self):
        with self.assertRaises(xnuscope.InputError) as raised:
            xnuscope.open("/nonexistent/mem.raw")
        self.assertIn("/nonexistent/mem.raw", str(raised.exception))
        with self.assertRaises(xnuscope.InputError):
            xnuscope.open_qemu("/nonexistent/mem", "/nonexistent/qmp.sock")

    def test_memory_without_kernel_is_an_analysis_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "zeros.raw")
            with open(path, "wb") as f:
                f.truncate(8 << 20)
            target = xnuscope.open(path)
            with self.assertRaises(xnuscope.AnalysisError):
                target.info()
            with self.assertRaises(xnuscope.AnalysisError):
                target.processes()

    def test_a_profile_of_another_build_is_refused_unless_forced(self):
        image = forge_image("HighSierra_10.13.6_17G65", "--seed", "42", "--ram", "64M",
                            "--procs", "4")
        sierra = os.path.join(PROFILES, "Sierra_10.12.6_16G29.json")
        with self.assertRaises(xnuscope.AnalysisError) as raised:
            xnuscope.open(image, profile=sierra).processes()
        self.assertIn("16G29", str(raised.exception))
        self.assertIn("17G65", str(raised.exception))


@unittest.skipUnless(shutil.which("qemu-system-x86_64"),
                     "qemu-system-x86_64 is not installed (scripts/setup.sh installs it)")
class LiveQemuTest(unittest.TestCase):
    """open_qemu() on a real QEMU whose RAM (a memory-backend-file) holds a forge guest."""

    RAM = 128 << 20

    def setUp(self):
        self.image = forge_image("HighSierra_10.13.6_17G65", "--seed", "43", "--ram", "128M",
                                 "--procs", "9")
        self.truth = truth_of(self.image)
        self.dir = tempfile.mkdtemp()
        self.mem = "/dev/shm/xnuscope-python-%d" % os.getpid()
        self.qmp = os.path.join(self.dir, "qmp.sock")
        control = os.path.join(self.dir, "control.sock")
        # Started paused (-S): the forge guest's memory is written into the RAM file
        # afterwards and nothing runs over it.
        self.qemu = subprocess.Popen(
            ["qemu-system-x86_64", "-machine", "q35,accel=tcg", "-m", "128M",
             "-object", "memory-backend-file,id=mem,size=128M,mem-path=%s,share=on" % self.mem,
             "-machine", "memory-backend=mem", "-nodefaults", "-display", "none", "-S",
             "-qmp", "unix:%s,server=on,wait=off" % self.qmp,
             "-qmp", "unix:%s,server=on,wait=off" % control],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(self.stop)
        # QEMU answers QMP only once the machine (and its RAM file) is set up; ask on
        # a second socket so the engine's one stays free.
        deadline = time.monotonic() + 30
        while not self.machine_ready(control):
            if self.qemu.poll() is not None or time.monotonic() > deadline:
                self.skipTest("QEMU did not start: %s" % self.qemu.stderr.read().decode())
            time.sleep(0.05)
        # Below 4 GiB QEMU's RAM file offset is the guest-physical address, as in a raw image.
        with open(self.image, "rb") as source, open(self.mem, "r+b") as ram:
            offset = 0
            while offset < self.RAM:
                chunk = source.read(1 << 20)
                if not chunk:
                    break
                if chunk.count(0) != len(chunk):
                    ram.seek(offset)
                    ram.write(chunk)
                offset += len(chunk)

    @staticmethod
    def machine_ready(path):
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as qmp:
                qmp.settimeout(5)
                qmp.connect(path)
                reader = qmp.makefile("rb")
                reader.readline()  # greeting
                for command in ("qmp_capabilities", "query-status"):
                    qmp.sendall(json.dumps({"execute": command}).encode() + b"\n")
                    while True:
                        reply = json.loads(reader.readline())
                        if "return" in reply or "error" in reply:
                            break
                return "return" in reply
        except (OSError, ValueError):
            return False

    def stop(self):
        self.qemu.kill()
        self.qemu.wait()
        self.qemu.stderr.close()
        if os.path.exists(self.mem):
            os.unlink(self.mem)
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_processes_of_a_running_vm_equal_the_truth(self):
        target = xnuscope.open_qemu(self.mem, self.qmp, profile_dirs=[PROFILES])
        self.assertEqual(target.source_format, "qemu-live")
        self.assertEqual(target.info().kaslr_slide, int(self.truth["kaslr_slide"], 16))
        processes = target.processes()
        self.assertEqual([(p.pid, p.name) for p in processes],
                         [(t["pid"], t["name"]) for t in self.truth["processes"]])
        del target  # QEMU serves one QMP client at a time
        with self.assertRaises(xnuscope.InputError) as raised:
            xnuscope.open_qemu(self.mem + ".missing", self.qmp)
        self.assertIn(".missing", str(raised.exception))


if __name__ == "__main__":
    unittest.main()
