#include "kernel/LowGlobals.h"

#include <cstring>

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
  std::memcpy(&lowGlobals.textStart, page.data() + kTextStartOffset, 8);
  std::memcpy(&lowGlobals.versionVa, page.data() + kVersionOffset, 8);
  std::memcpy(&lowGlobals.kmodVa, page.data() + kKmodOffset, 8);
  return lowGlobals;
}

}  // namespace xnuscope
