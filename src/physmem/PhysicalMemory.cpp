#include "physmem/PhysicalMemory.h"

#include <cstring>

namespace xnuscope {

std::optional<std::uint64_t> PhysicalMemory::readU64(std::uint64_t pa) const {
  std::uint8_t buffer[8];
  if (!readExact(pa, buffer)) return std::nullopt;
  std::uint64_t value;
  std::memcpy(&value, buffer, sizeof value);
  return value;
}

std::optional<std::uint32_t> PhysicalMemory::readU32(std::uint64_t pa) const {
  std::uint8_t buffer[4];
  if (!readExact(pa, buffer)) return std::nullopt;
  std::uint32_t value;
  std::memcpy(&value, buffer, sizeof value);
  return value;
}

std::uint64_t PhysicalMemory::backedBytes() const {
  std::uint64_t total = 0;
  for (const auto& range : ranges()) total += range.size;
  return total;
}

}  // namespace xnuscope
