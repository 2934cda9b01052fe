// Every source describes a bitfield differently: Volatility 2 as byte + bits (and
// the 10.13 converter splits words into bytes), ISF as storage-unit offset + bit
// position, DWARF as a bit offset from the struct start. The profile keeps one
// normal form: the aligned 32-bit word holding the bits (64-bit when they cross a
// 32-bit boundary), if that word lies inside the struct.
#pragma once

#include <cstdint>
#include <string>

#include "profile/Profile.h"

namespace xnuscope {

struct PlacedBitField {
  std::uint64_t offset = 0;  // of the storage word
  BitField bits;
  std::string storageType;  // "unsigned int" or "unsigned long long" when normalised
};

// `absoluteBit` counts from bit 0 of the struct (little-endian). When no aligned
// word fits inside `structSize`, the byte holding the first bit is used with
// `fallbackType`.
PlacedBitField placeBitField(std::uint64_t absoluteBit, std::uint32_t count,
                             std::uint64_t structSize, const std::string& fallbackType);

}  // namespace xnuscope
