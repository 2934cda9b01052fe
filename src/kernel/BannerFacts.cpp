#include "kernel/BannerFacts.h"

#include <array>

#include "core/Hex.h"
#include "core/LittleEndian.h"

namespace xnuscope {
namespace {

std::optional<std::uint32_t> readU32(const KernelMemoryView& kernel, std::uint64_t va) {
  std::array<std::uint8_t, 4> bytes{};
  if (kernel.read(va, bytes) != bytes.size()) return std::nullopt;
  return loadLittleEndian<std::uint32_t>(bytes, 0);
}

std::string majorMinor(long long major, long long minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

}  // namespace

std::optional<DarwinBanner> checkBanner(KernelInfo& info, const SymbolLookup& symbolVa,
                                        const KernelMemoryView& kernel, const FactSink& addFact) {
  if (const auto version = symbolVa("_version")) {
    const auto banner = kernel.readString(*version, kMaxBannerLength);
    const bool isBanner = banner && DarwinBanner::parse(*banner);
    const bool agreed = isBanner && (info.banner.empty() || info.banner == *banner);
    addFact("banner at slid _version", agreed,
            "_version " + hex(*version) +
                (isBanner ? (agreed ? " holds the banner" : " holds a different banner")
                          : " holds no Darwin banner"));
    if (agreed && info.banner.empty()) info.banner = *banner;
  }

  const auto parsed = DarwinBanner::parse(info.banner);
  if (parsed) {
    info.versionMajor = parsed->major;
    info.versionMinor = parsed->minor;
  }
  const auto majorVa = symbolVa("_version_major"), minorVa = symbolVa("_version_minor");
  if (majorVa && minorVa) {
    const auto major = readU32(kernel, *majorVa);
    const auto minor = major ? readU32(kernel, *minorVa) : std::nullopt;
    const bool read = major && minor;
    const bool agreed = read && parsed && static_cast<int>(*major) == parsed->major &&
                        static_cast<int>(*minor) == parsed->minor;
    addFact("version ints", agreed,
            read ? "_version_major/_version_minor = " + majorMinor(*major, *minor) +
                       (parsed ? " vs banner " + majorMinor(parsed->major, parsed->minor)
                               : " (no banner to compare)")
                 : "version ints not readable");
    if (read && !parsed) {
      info.versionMajor = static_cast<int>(*major);
      info.versionMinor = static_cast<int>(*minor);
    }
  }
  return parsed;
}

}  // namespace xnuscope
