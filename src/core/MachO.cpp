#include "core/MachO.h"

#include <array>
#include <cstdio>

#include "core/Hex.h"
#include "core/LittleEndian.h"

namespace xnuscope::macho {

std::optional<std::string> describeHeader(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 16) return std::nullopt;
  const auto magic = loadLittleEndianOr<std::uint32_t>(bytes, 0);
  const auto cpu = loadLittleEndianOr<std::uint32_t>(bytes, 4);
  const auto fileType = loadLittleEndianOr<std::uint32_t>(bytes, 12);
  if (magic == kFatMagic || magic == kFatCigam) return std::string("fat (universal) header");
  if (magic != kMagic64 && magic != kMagic32) return std::nullopt;
  // <mach-o/loader.h> MH_* file types, by value.
  static constexpr std::array<const char*, 13> kFileTypes = {
      "?",          "MH_OBJECT",      "MH_EXECUTE",  "MH_FVMLIB", "MH_CORE",
      "MH_PRELOAD", "MH_DYLIB",       "MH_DYLINKER", "MH_BUNDLE", "MH_DYLIB_STUB",
      "MH_DSYM",    "MH_KEXT_BUNDLE", "MH_FILESET"};
  const std::string type =
      fileType < kFileTypes.size() ? kFileTypes[fileType] : "filetype " + std::to_string(fileType);
  const std::string arch = cpu == kCpuTypeX86_64  ? "x86_64"
                           : cpu == kCpuTypeI386  ? "i386"
                           : cpu == kCpuTypeArm64 ? "arm64"
                                                  : hex(cpu);
  return type + " (" + arch + ")";
}

std::string uuidText(std::span<const std::uint8_t> uuid) {
  if (uuid.size() != 16) return {};
  std::string text;
  char digits[3];
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    std::snprintf(digits, sizeof digits, "%02X", uuid[i]);
    text += digits;
  }
  return text;
}

bool isAddressSymbol(std::uint8_t nType) {
  return (nType & kStabMask) == 0 && (nType & kTypeMask) == kTypeSection;
}

bool isExternalSymbol(std::uint8_t nType) {
  return (nType & kExternal) != 0 && (nType & kPrivateExternal) == 0;
}

void collectAddressSymbol(std::map<std::string, std::uint64_t>& symbols, std::string_view name,
                          std::uint8_t nType, std::uint64_t value) {
  if (name.empty() || !isAddressSymbol(nType)) return;
  const auto [it, inserted] = symbols.try_emplace(std::string(name), value);
  if (!inserted && isExternalSymbol(nType)) it->second = value;
}

}  // namespace xnuscope::macho
