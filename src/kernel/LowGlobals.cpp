#include "kernel/LowGlobals.h"

#include <cstring>

#include "core/LittleEndian.h"

namespace xnuscope {

bool LowGlobals::matchesSignature(std::span<const std::uint8_t> first16) {
  static constexpr std::uint8_t kSignature[16] = {'C', 'a', 't', 'f', 'i', 's', 'h', ' ',
                                                  0,   0,   0,   0,   0,   0,   0,   0};
  return first16.size() >= 16 && std::memcmp(first16.data(), kSignature, 16) == 0;
}

std::optional<LowGlobals> LowGlobals::parse(std::uint64_t pa, std::span<const std::uint8_t> page) {
  if (page.size() < kKmodOffset + 8 || !matchesSignature(page)) return std::nullopt;
  LowGlobals lowGlobals;
  lowGlobals.pa = pa;
  lowGlobals.textStart = loadLittleEndianOr<std::uint64_t>(page, kTextStartOffset);
  lowGlobals.versionVa = loadLittleEndianOr<std::uint64_t>(page, kVersionOffset);
  lowGlobals.kmodVa = loadLittleEndianOr<std::uint64_t>(page, kKmodOffset);
  return lowGlobals;
}

}  // namespace xnuscope
