#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include "ImageBuilders.h"
#include "core/Error.h"
#include "physmem/ImageOpener.h"
#include "physmem/RawImage.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

using test::Bytes;

TEST(RawImage, FileOffsetIsPhysicalAddressAndEofIsAHole) {
  const Bytes content = test::patternBytes(3 * 4096 + 100, 7);
  const std::string path = test::scratchDir() + "/plain.raw";
  test::writeFile(path, content);
  RawImage image(path);

  ASSERT_EQ(image.ranges().size(), 1u);
  EXPECT_EQ(image.ranges()[0].start, 0u);
  EXPECT_EQ(image.ranges()[0].size, content.size());
  EXPECT_EQ(image.formatName(), "raw");

  std::array<std::uint8_t, 64> buffer{};
  EXPECT_EQ(image.read(0x1000, buffer), buffer.size());
  EXPECT_EQ(0, std::memcmp(buffer.data(), content.data() + 0x1000, buffer.size()));

  // Reading over EOF stops there: bytes past EOF are absent, not zero.
  const std::uint64_t nearEnd = content.size() - 10;
  EXPECT_EQ(image.read(nearEnd, buffer), 10u);
  EXPECT_EQ(0, std::memcmp(buffer.data(), content.data() + nearEnd, 10));
  EXPECT_EQ(image.read(content.size(), buffer), 0u);
  EXPECT_EQ(image.read(~0ull - 4, buffer), 0u);
  EXPECT_FALSE(image.readU64(content.size() - 4).has_value());
  EXPECT_EQ(image.backedBytes(), content.size());
}

TEST(RawImage, ViewIsZeroCopyAndRefusesBeyondEof) {
  const Bytes content = test::patternBytes(8192, 3);
  const std::string path = test::scratchDir() + "/view.raw";
  test::writeFile(path, content);
  RawImage image(path);

  auto first = image.view(0x100, 16);
  auto second = image.view(0x100, 16);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->data(), second->data());  // the same mapped bytes, no copy
  EXPECT_EQ(0, std::memcmp(first->data(), content.data() + 0x100, 16));
  EXPECT_TRUE(image.view(0, content.size()).has_value());
  EXPECT_FALSE(image.view(0, content.size() + 1).has_value());
  EXPECT_FALSE(image.view(content.size(), 1).has_value());
}

TEST(RawImage, SparseFileAboveFourGiB) {
  const std::string path = test::scratchDir() + "/sparse.raw";
  const std::uint64_t size = 6ull << 30;
  const std::uint64_t markerAt = 5ull << 30;
  const char marker[] = "xnuscope-marker-at-5GiB";
  {
    const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
    ASSERT_EQ(::pwrite(fd, marker, sizeof marker, static_cast<off_t>(markerAt)),
              static_cast<ssize_t>(sizeof marker));
    ::close(fd);
  }
  auto image = openPhysicalMemory(path);
  EXPECT_EQ(image->formatName(), "raw");  // a zero first page is still raw memory
  ASSERT_EQ(image->ranges().size(), 1u);
  EXPECT_EQ(image->ranges()[0].size, size);

  std::array<std::uint8_t, sizeof marker> buffer{};
  ASSERT_EQ(image->read(markerAt, buffer), buffer.size());
  EXPECT_EQ(0, std::memcmp(buffer.data(), marker, sizeof marker));
  auto view = image->view(markerAt, sizeof marker);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(0, std::memcmp(view->data(), marker, sizeof marker));
  EXPECT_EQ(image->readU32(size - 4), 0u);
  EXPECT_FALSE(image->readU32(size - 2).has_value());
  std::remove(path.c_str());
}

TEST(RawImage, ConstructorRejectsMissingAndEmptyFiles) {
  EXPECT_THROW(RawImage(test::scratchDir() + "/does-not-exist.raw"), InputError);
  const std::string empty = test::scratchDir() + "/empty-for-raw.raw";
  test::writeFile(empty, {});
  EXPECT_THROW(RawImage{empty}, InputError);
}

}  // namespace
}  // namespace xnuscope
