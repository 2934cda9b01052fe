#include "profile/BitFieldPlacement.h"

namespace xnuscope {

PlacedBitField placeBitField(std::uint64_t absoluteBit, std::uint32_t count,
                             std::uint64_t structSize, const std::string& fallbackType) {
  const std::uint64_t word32 = absoluteBit / 32 * 4;
  if ((absoluteBit % 32) + count <= 32 && word32 + 4 <= structSize) {
    return {word32, {static_cast<std::uint32_t>(absoluteBit % 32), count}, "unsigned int"};
  }
  const std::uint64_t word64 = absoluteBit / 64 * 8;
  if ((absoluteBit % 64) + count <= 64 && word64 + 8 <= structSize) {
    return {word64, {static_cast<std::uint32_t>(absoluteBit % 64), count}, "unsigned long long"};
  }
  return {absoluteBit / 8, {static_cast<std::uint32_t>(absoluteBit % 8), count}, fallbackType};
}

}  // namespace xnuscope
