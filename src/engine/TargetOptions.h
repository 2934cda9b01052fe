// How to open a Target: the memory source (a snapshot file, or a running QEMU VM's
// memory-backend-file plus its QMP socket) and how to resolve its kernel. These are
// the CLI's global options, as a plain struct any caller can fill.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/Progress.h"
#include "engine/ProfileDeriver.h"

namespace xnuscope::engine {

struct TargetOptions {
  // The source: exactly one of `image` (raw, QEMU ELF core or LiME, detected by
  // content) or `qemuMem` + `qmp` (live VM; RAM layout and CR3 come from QEMU).
  std::string image{};
  std::string qemuMem{};
  std::string qmp{};    // unix socket path, unix:PATH or tcp:HOST:PORT
  bool freeze = false;  // live: keep the guest stopped while the Target is open

  // Resolution (see KernelResolution.h).
  std::string profile = "auto";        // "auto", "derive" or a profile file
  std::string kernelFile{};            // the guest's kernel Mach-O (kernel collections need it)
  std::optional<std::uint64_t> dtb{};  // override the kernel page-table root
  bool force = false;                  // use a mismatching profile / kernel file
  std::vector<std::string> profileDirectories{};            // empty: ProfileRepository defaults
  std::vector<std::shared_ptr<ProfileDeriver>> derivers{};  // tried when no exact profile fits
  // After `derivers`, the built-in KernelCodeDeriver (src/derive): layouts from the
  // kernel's own accessor code and data. Off: no exact profile means beacons.
  bool deriveProfiles = true;
  bool allowIncompleteDerivation = false;  // keep a derived profile lacking walker fields
  // info(): search all of RAM for banner copies (decoys); otherwise only images of
  // at most 1 GiB are searched and info says it skipped the rest.
  bool searchAllDecoys = false;
  std::optional<std::uint32_t> beaconSession{};  // which companion session to read

  // Long scans report here; `progressDone` is called when one ends.
  ProgressFn progress{};
  std::function<void()> progressDone{};
  // Warnings of the resolution (a forced mismatch, a failed re-location, ...)
  // are passed here once, when the kernel path is first used.
  std::function<void(const std::string&)> warn{};
};

}  // namespace xnuscope::engine
