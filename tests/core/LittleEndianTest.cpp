#include <gtest/gtest.h>

#include <array>
#include <limits>

#include "core/LittleEndian.h"

namespace xnuscope {
namespace {

constexpr std::array<std::uint8_t, 10> kBytes{0x01, 0x02, 0x03, 0x04, 0x05,
                                              0x06, 0x07, 0x08, 0x09, 0x0a};

TEST(LittleEndian, LoadsLeastSignificantByteFirst) {
  EXPECT_EQ(loadLittleEndian<std::uint16_t>(kBytes, 0), 0x0201u);
  EXPECT_EQ(loadLittleEndian<std::uint32_t>(kBytes, 1), 0x05040302u);
  EXPECT_EQ(loadLittleEndian<std::uint64_t>(kBytes, 2), 0x0a09080706050403ull);
  EXPECT_EQ(loadLittleEndian<std::int8_t>(kBytes, 9), 0x0a);
}

TEST(LittleEndian, RefusesEveryLoadThatDoesNotFit) {
  EXPECT_FALSE(loadLittleEndian<std::uint64_t>(kBytes, 3).has_value());  // one byte short
  EXPECT_FALSE(loadLittleEndian<std::uint32_t>(kBytes, 10).has_value());
  EXPECT_FALSE(loadLittleEndian<std::uint8_t>(kBytes, 10).has_value());
  // An offset near SIZE_MAX must not wrap around into the buffer.
  EXPECT_FALSE(loadLittleEndian<std::uint32_t>(kBytes, std::numeric_limits<std::size_t>::max() - 1)
                   .has_value());
  EXPECT_FALSE(loadLittleEndian<std::uint32_t>(std::span<const std::uint8_t>(), 0).has_value());
  EXPECT_EQ(loadLittleEndianOr<std::uint32_t>(kBytes, 8), 0u);
  EXPECT_EQ(loadLittleEndianOr<std::uint32_t>(kBytes, 8, 0xdeadbeef), 0xdeadbeefu);
}

TEST(LittleEndian, ClippedLoadZeroExtendsTheBytesThatExist) {
  EXPECT_EQ(loadLittleEndianClipped<std::uint64_t>(kBytes, 7), 0x0a0908ull);
  EXPECT_EQ(loadLittleEndianClipped<std::uint64_t>(kBytes, 0), 0x0807060504030201ull);
  EXPECT_EQ(loadLittleEndianClipped<std::uint64_t>(kBytes, 10), 0u);
  EXPECT_EQ(loadLittleEndianClipped<std::uint64_t>(kBytes, 1000), 0u);
}

TEST(LittleEndian, RecordsAreCopiedOnlyWhenWhole) {
  struct Pair {
    std::uint32_t a;
    std::uint32_t b;
  };
  const auto pair = loadRecord<Pair>(kBytes, 2);
  ASSERT_TRUE(pair.has_value());
  EXPECT_EQ(pair->a, 0x06050403u);
  EXPECT_EQ(pair->b, 0x0a090807u);
  EXPECT_FALSE(loadRecord<Pair>(kBytes, 3).has_value());
  EXPECT_TRUE(fitsIn(10, 10, 0));
  EXPECT_FALSE(fitsIn(10, 11, 0));
}

}  // namespace
}  // namespace xnuscope
