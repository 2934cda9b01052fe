// One loaded kernel extension, from the legacy kmod list and/or the loaded-kext
// summaries the kernel keeps for debuggers (gLoadedKextSummaries).
#pragma once

#include <cstdint>
#include <string>

namespace xnuscope {

struct KextRecord {
  std::string name;           // bundle identifier, "com.apple.iokit.IOPCIFamily"
  std::string version;        // kmod_info.version, or decoded OSKextVersion
  std::uint64_t address = 0;  // load address of the kext's Mach-O header
  std::uint64_t size = 0;
  std::uint32_t id = 0;           // kmod id / load tag
  std::uint64_t infoAddress = 0;  // kmod_info (0 when only in the summaries)
  bool inKmodList = false;
  bool inSummaries = false;
};

// "1.2.3" (or "1.2.3b4") from the packed OSKextVersion the summaries carry:
// major·10^8 + minor·10^6 + revision·10^4 + stage·10^3 + stage level.
std::string decodeOsKextVersion(std::uint64_t packed);

}  // namespace xnuscope
