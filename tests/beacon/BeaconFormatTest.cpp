// The beacon field loads: little-endian, bounds-checked (a field past the end of
// the page or entry reads as 0), and printable text from fixed-size fields.
#include <gtest/gtest.h>

#include <array>

#include "beacon/BeaconFormat.h"

namespace xnuscope {
namespace {

TEST(BeaconFormat, FieldLoadsAreLittleEndianAndBounded) {
  const std::array<std::uint8_t, 12> bytes{0xCE, 0xFA, 0x42, 0x31, 1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(beacon::loadU32(bytes, 0), beacon::kMagic);
  EXPECT_EQ(beacon::loadU16(bytes, 4), 0x0201u);
  EXPECT_EQ(beacon::loadU64(bytes, 4), 0x0807060504030201ull);
  EXPECT_EQ(beacon::loadU8(bytes, 11), 8u);
  // Past the end, or straddling it: 0, never a read beyond the buffer.
  EXPECT_EQ(beacon::loadU64(bytes, 5), 0u);
  EXPECT_EQ(beacon::loadU32(bytes, 12), 0u);
  EXPECT_EQ(beacon::loadU8(bytes, 100), 0u);
  // An entry starting past the end is empty.
  EXPECT_EQ(beacon::entryAt(bytes, 4).size(), 8u);
  EXPECT_TRUE(beacon::entryAt(bytes, 13).empty());
  EXPECT_EQ(beacon::loadU32(beacon::entryAt(bytes, 4), 4), 0x08070605u);
}

TEST(BeaconFormat, FixedStringsStopAtNulFieldEndOrBufferEnd) {
  const std::array<std::uint8_t, 8> bytes{'l', 'a', 'u', 0x07, 'n', 0, 'x', 'y'};
  EXPECT_EQ(beacon::fixedString(bytes, 0, 8), "lau?n");  // control byte replaced
  EXPECT_EQ(beacon::fixedString(bytes, 0, 2), "la");     // field end
  EXPECT_EQ(beacon::fixedString(bytes, 6, 16), "xy");    // buffer end, no NUL
  EXPECT_EQ(beacon::fixedString(bytes, 9, 4), "");       // past the end
}

}  // namespace
}  // namespace xnuscope
