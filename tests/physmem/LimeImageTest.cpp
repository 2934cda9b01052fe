#include <gtest/gtest.h>

#include <array>
#include <cstring>

#include "ImageBuilders.h"
#include "core/Error.h"
#include "physmem/ImageOpener.h"
#include "physmem/LimeImage.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

using test::Bytes;

std::string writeLime(const std::string& name, const Bytes& bytes) {
  const std::string path = test::scratchDir() + "/" + name;
  test::writeFile(path, bytes);
  return path;
}

std::string errorOf(const std::string& path) {
  try {
    openPhysicalMemory(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(LimeImage, RangesWithHolesReadAsAbsent) {
  const Bytes low = test::patternBytes(0x9f000, 1);
  const Bytes high = test::patternBytes(0x20000, 2);
  const Bytes adjacent = test::patternBytes(0x1000, 3);
  const std::string path = writeLime(
      "holes.lime", test::buildLime({{0x0, low}, {0x100000, high}, {0x120000, adjacent}}));
  auto image = openPhysicalMemory(path);
  ASSERT_EQ(image->formatName(), "lime");

  // The two ranges at 0x100000 and 0x120000 abut in PA: one backed range.
  ASSERT_EQ(image->ranges().size(), 2u);
  EXPECT_EQ(image->ranges()[0].start, 0u);
  EXPECT_EQ(image->ranges()[0].size, 0x9f000u);
  EXPECT_EQ(image->ranges()[1].start, 0x100000u);
  EXPECT_EQ(image->ranges()[1].size, 0x21000u);

  std::array<std::uint8_t, 0x100> buffer{};
  ASSERT_EQ(image->read(0x100010, buffer), buffer.size());
  EXPECT_EQ(0, std::memcmp(buffer.data(), high.data() + 0x10, buffer.size()));
  // Up to the hole at 0x9f000, then nothing.
  EXPECT_EQ(image->read(0x9f000 - 0x10, buffer), 0x10u);
  EXPECT_EQ(0, std::memcmp(buffer.data(), low.data() + 0x9f000 - 0x10, 0x10));
  EXPECT_EQ(image->read(0xa0000, buffer), 0u);
  // Across two PA-adjacent LiME ranges (separated by a header in the file).
  ASSERT_EQ(image->read(0x120000 - 0x80, buffer), buffer.size());
  EXPECT_EQ(0, std::memcmp(buffer.data(), high.data() + 0x20000 - 0x80, 0x80));
  EXPECT_EQ(0, std::memcmp(buffer.data() + 0x80, adjacent.data(), 0x80));
  // view() cannot span them (a header sits between in the file) but works inside.
  EXPECT_FALSE(image->view(0x120000 - 0x80, 0x100).has_value());
  ASSERT_TRUE(image->view(0x100000, 0x20000).has_value());
  EXPECT_EQ(image->backedBytes(), low.size() + high.size() + adjacent.size());
}

TEST(LimeImage, TruncatedRangeIsAnError) {
  Bytes bytes = test::buildLime({{0x1000, test::patternBytes(0x4000, 4)}});
  bytes.resize(bytes.size() - 1);
  const std::string message = errorOf(writeLime("truncated.lime", bytes));
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
}

TEST(LimeImage, StrayBytesAfterLastRangeAreAnError) {
  Bytes bytes = test::buildLime({{0x1000, test::patternBytes(0x4000, 4)}});
  bytes.resize(bytes.size() + 7, 0xaa);
  EXPECT_NE(errorOf(writeLime("stray.lime", bytes)).find("truncated"), std::string::npos);
}

TEST(LimeImage, CorruptSecondHeaderIsAnError) {
  Bytes bytes = test::buildLime(
      {{0x0, test::patternBytes(0x2000, 5)}, {0x10000, test::patternBytes(0x2000, 6)}});
  bytes[32 + 0x2000] ^= 0xff;  // magic of the second header
  const std::string message = errorOf(writeLime("badmagic.lime", bytes));
  EXPECT_NE(message.find("corrupt"), std::string::npos) << message;
  EXPECT_NE(message.find("0x2020"), std::string::npos) << message;  // where
}

TEST(LimeImage, UnknownVersionAndInvertedRangeAreErrors) {
  Bytes bytes = test::buildLime({{0x0, test::patternBytes(0x2000, 5)}});
  bytes[4] = 2;
  EXPECT_NE(errorOf(writeLime("v2.lime", bytes)).find("version 2"), std::string::npos);

  Bytes inverted = test::buildLime({{0x5000, test::patternBytes(0x2000, 5)}});
  const std::uint64_t end = 0x10;
  std::memcpy(inverted.data() + 16, &end, 8);
  EXPECT_NE(errorOf(writeLime("inverted.lime", inverted)).find("invalid range"), std::string::npos);
}

TEST(LimeImage, OverlappingRangesAreAnError) {
  const Bytes bytes = test::buildLime(
      {{0x0, test::patternBytes(0x2000, 5)}, {0x1000, test::patternBytes(0x2000, 6)}});
  EXPECT_NE(errorOf(writeLime("overlap.lime", bytes)).find("overlap"), std::string::npos);
}

}  // namespace
}  // namespace xnuscope
