// Options that every command accepts, before or after the command word.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "output/OutputFormat.h"

namespace xnuscope::cli {

struct GlobalOptions {
  std::string image;                 // --image PATH: snapshot file (raw, ELF core, LiME)
  std::string qemuMem;               // --qemu-mem PATH: live QEMU memory-backend-file
  std::string qmp;                   // --qmp SOCKET: QEMU QMP socket (unix path or tcp:HOST:PORT)
  std::string profile = "auto";      // --profile PATH|auto
  std::string kernel;                // --kernel PATH: the kernel file of the guest's build
  std::optional<std::uint64_t> dtb;  // --dtb ADDR: override the kernel page table root
  OutputFormat format = OutputFormat::Table;
  bool quiet = false;                          // --quiet: no progress, no warnings on stderr
  bool force = false;                          // --force: use a profile even if it does not match
  bool freeze = false;                         // --freeze: stop a live guest around reads
  std::optional<std::uint32_t> beaconSession;  // --beacon-session ID
};

}  // namespace xnuscope::cli
