#include "core/MachO.h"

#include <cstdio>

namespace xnuscope::macho {

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
