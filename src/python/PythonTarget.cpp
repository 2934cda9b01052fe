// xnuscope.Target and the two ways to open one. Each method maps onto the engine's
// Target (engine/Target.h): the same resolution, fallback and errors as the CLI.
#include <dlfcn.h>
#include <pybind11/stl.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/Error.h"
#include "core/Hex.h"
#include "engine/Target.h"
#include "python/PythonBindings.h"

namespace py = pybind11;

namespace xnuscope::python {
namespace {

using engine::Target;
using engine::TargetOptions;

// Where profile="auto" looks: $XNUSCOPE_PROFILES (colon-separated), then the
// profiles beside the module (an install: <prefix>/lib/python/../share/xnuscope/
// profiles; the build tree: build/python/../../xnu_profiles), then the source tree
// this module was built from. Missing folders are skipped.
std::vector<std::string> defaultProfileDirectories() {
  std::vector<std::string> directories;
  if (const char* env = std::getenv("XNUSCOPE_PROFILES")) {
    std::string list = env;
    std::size_t start = 0;
    while (start <= list.size()) {
      const std::size_t end = std::min(list.find(':', start), list.size());
      if (end > start) directories.push_back(list.substr(start, end - start));
      start = end + 1;
    }
  }
  Dl_info self{};
  if (dladdr(reinterpret_cast<void*>(&defaultProfileDirectories), &self) && self.dli_fname) {
    const std::filesystem::path dir = std::filesystem::path(self.dli_fname).parent_path();
    directories.push_back((dir / ".." / "share" / "xnuscope" / "profiles").string());
    directories.push_back((dir / ".." / ".." / "xnu_profiles").string());
  }
  directories.push_back(std::string(XNUSCOPE_SOURCE_DIR) + "/xnu_profiles");
  return directories;
}

struct ResolveArguments {
  std::string profile;
  std::optional<std::string> kernel;
  std::optional<std::uint64_t> dtb;
  bool force;
  std::optional<std::vector<std::string>> profileDirs;
  std::optional<std::uint32_t> beaconSession;
};

void applyResolveArguments(TargetOptions& options, const ResolveArguments& args) {
  options.profile = args.profile;
  if (args.kernel) options.kernelFile = *args.kernel;
  options.dtb = args.dtb;
  options.force = args.force;
  options.profileDirectories = args.profileDirs ? *args.profileDirs : defaultProfileDirectories();
  options.beaconSession = args.beaconSession;
  // Resolution warnings (a forced mismatch, ...) become Python warnings.
  options.warn = [](const std::string& message) {
    py::module_::import("warnings").attr("warn")("xnuscope: " + message);
  };
}

std::unique_ptr<Target> openImage(const std::string& path, const std::string& profile,
                                  std::optional<std::string> kernel,
                                  std::optional<std::uint64_t> dtb, bool force,
                                  std::optional<std::vector<std::string>> profileDirs,
                                  std::optional<std::uint32_t> beaconSession) {
  TargetOptions options;
  options.image = path;
  applyResolveArguments(options, {profile, kernel, dtb, force, profileDirs, beaconSession});
  return Target::open(std::move(options));
}

std::unique_ptr<Target> openQemu(const std::string& memPath, const std::string& qmp, bool freeze,
                                 const std::string& profile, std::optional<std::string> kernel,
                                 std::optional<std::uint64_t> dtb, bool force,
                                 std::optional<std::vector<std::string>> profileDirs,
                                 std::optional<std::uint32_t> beaconSession) {
  TargetOptions options;
  options.qemuMem = memPath;
  options.qmp = qmp;
  options.freeze = freeze;
  applyResolveArguments(options, {profile, kernel, dtb, force, profileDirs, beaconSession});
  return Target::open(std::move(options));
}

py::bytes readVirtual(Target& target, std::optional<std::int32_t> pid, std::uint64_t address,
                      std::uint64_t length, bool allowHoles) {
  const engine::VirtualRead read = target.readVirtual(pid, address, length);
  if (!read.complete() && !allowHoles) {
    const auto& hole = read.holes.front();
    throw AnalysisError(std::to_string(read.holes.size()) + " range(s) of " + hex(address) + "+" +
                        hex(length) + " in the address space of " + read.space.name +
                        " are not readable (first " + hex(hole.start) + "-" + hex(hole.end) +
                        ": not mapped, or not in the image); pass allow_holes=True to get "
                        "them zero-filled");
  }
  return py::bytes(reinterpret_cast<const char*>(read.bytes.data()), read.bytes.size());
}

py::list holes(Target& target, std::optional<std::int32_t> pid, std::uint64_t address,
               std::uint64_t length) {
  const engine::VirtualRead read = target.readVirtual(pid, address, length);
  py::list list;
  for (const auto& hole : read.holes) list.append(py::make_tuple(hole.start, hole.end));
  return list;
}

}  // namespace

void bindTarget(py::module_& module) {
  py::class_<Target>(module, "Target",
                     "One guest: its memory source, its kernel and profile (resolved on first "
                     "use, once) and what can be read from it. Open with xnuscope.open() or "
                     "xnuscope.open_qemu(). Not thread-safe.")
      .def("info", &Target::info, py::return_value_policy::move,
           "Kernel base VA/PA, KASLR slide, DTB, banner, UUID, build, the facts that prove them, "
           "and how the profile was resolved (Info.steps). Needs no profile. Raises "
           "AnalysisError when no kernel can be found.")
      .def("processes", &Target::processes,
           "All processes (ProcessList: a sequence of Process with complete/warnings/source). "
           "From the kernel walk when a kernel and a profile serve; otherwise from an in-guest "
           "companion's beacon pages if the memory holds any (source 'beacon'); otherwise "
           "raises AnalysisError saying why.")
      .def("maps", &Target::maps, py::arg("pid"),
           "The memory map of process `pid` (MapList of MapEntry, sorted by start). Raises "
           "InputError when there is no such pid.")
      .def(
          "kexts", [](Target& target) { return target.kexts().kexts; },
          "Loaded kernel extensions (list of Kext). Needs the kernel path.")
      .def(
          "dmesg", [](Target& target) { return target.dmesg().text; },
          "The kernel message buffer as text, oldest line first. Needs the kernel path.")
      .def("read_virtual", &readVirtual, py::arg("pid"), py::arg("address"), py::arg("length"),
           py::arg("allow_holes") = false,
           "`length` bytes at virtual `address` in the address space of process `pid` (None: "
           "the kernel), translated through that address space's own page tables. Raises "
           "AnalysisError when part of the range is not readable, unless allow_holes=True "
           "(then those bytes are zero; see holes()). At most 1 GiB per call.")
      .def("holes", &holes, py::arg("pid"), py::arg("address"), py::arg("length"),
           "The unreadable (start, end) ranges of the same read, merged and ascending.")
      .def(
          "page_table_root",
          [](Target& target, std::optional<std::int32_t> pid) {
            return target.addressSpace(pid).root;
          },
          py::arg("pid") = py::none(),
          "CR3 of process `pid`'s address space (task->map->pmap->pm_cr3), or the kernel's "
          "DTB for None.")
      .def_property_readonly(
          "resolution", [](Target& target) { return target.resolution().steps; },
          "The steps that resolved kernel and profile (list of ResolutionStep).")
      .def_property_readonly(
          "source_format", [](const Target& target) { return target.physical().formatName(); },
          "'raw', 'elf-core', 'lime' or 'qemu-live'.")
      .def("__repr__", [](const Target& target) {
        return "<xnuscope.Target " + target.physical().describe() + ">";
      });

  module.def("open", &openImage, py::arg("path"), py::arg("profile") = "auto",
             py::arg("kernel") = py::none(), py::arg("dtb") = py::none(), py::arg("force") = false,
             py::arg("profile_dirs") = py::none(), py::arg("beacon_session") = py::none(),
             "Open a memory snapshot (raw, QEMU ELF core or LiME; detected by content).\n\n"
             "profile: 'auto' (match the kernel's UUID, then banner, against the profile "
             "folders) or a profile file (native JSON, Volatility 3 ISF, Volatility 2 zip).\n"
             "kernel: the guest's kernel Mach-O (needed for macOS 11+ kernel collections).\n"
             "dtb: override the kernel page-table root. force: use a profile of another build.\n"
             "profile_dirs: folders for 'auto' (default: $XNUSCOPE_PROFILES, the profiles "
             "beside the module and in the source tree).\n"
             "beacon_session: which in-guest companion session the beacon fallback reads.\n"
             "Raises InputError when the file cannot be used.");
  module.def("open_qemu", &openQemu, py::arg("mem_path"), py::arg("qmp_socket"),
             py::arg("freeze") = false, py::arg("profile") = "auto", py::arg("kernel") = py::none(),
             py::arg("dtb") = py::none(), py::arg("force") = false,
             py::arg("profile_dirs") = py::none(), py::arg("beacon_session") = py::none(),
             "Open a running QEMU VM: its memory-backend-file (share=on) and its QMP socket "
             "(unix path, unix:PATH or tcp:HOST:PORT). RAM layout and CR3 come from QEMU. "
             "freeze=True keeps the guest stopped while the Target is open. Other arguments as "
             "for open(). Raises InputError when QEMU cannot be reached or does not map "
             "mem_path.");
}

}  // namespace xnuscope::python
