#include <gtest/gtest.h>

#include <cstring>
#include <mutex>
#include <set>

#include "ImageBuilders.h"
#include "physmem/BlockCache.h"
#include "physmem/ElfCoreImage.h"
#include "physmem/ImageOpener.h"
#include "physmem/ImageScanner.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

using test::Bytes;

// Pseudo-random bytes with `needle` planted at `places` (and nowhere else).
Bytes bytesWith(std::size_t size, const std::string& needle,
                const std::vector<std::size_t>& places) {
  Bytes bytes = test::patternBytes(size, 11);
  for (auto& b : bytes) {
    if (b == static_cast<std::uint8_t>(needle[0])) b ^= 0x80;  // no accidental matches
  }
  for (const std::size_t at : places) std::memcpy(bytes.data() + at, needle.data(), needle.size());
  return bytes;
}

TEST(ImageScanner, FindsEveryMatchIncludingOnesAcrossChunkBoundaries) {
  const std::string needle = "Darwin Kernel Version ";
  const std::size_t size = 3 * 1024 * 1024 + 4096;
  // 64 KiB chunks: matches straddling 0x10000 and 0x20000, at 0 and at the very end.
  const std::vector<std::size_t> places{0, 0x10000 - 5, 0x20000 - 21, 0x123457,
                                        size - needle.size()};
  const std::string path = test::scratchDir() + "/scan.raw";
  test::writeFile(path, bytesWith(size, needle, places));
  const auto image = openPhysicalMemory(path);
  for (const std::uint64_t threshold : {std::uint64_t{0}, std::uint64_t{1} << 40}) {
    ImageScanOptions options;
    options.chunkSize = 0x10000;
    options.parallelThreshold = threshold;  // 0: threads where the host has cores
    ImageScanStats stats;
    const auto hits = ImageScanner(*image).findAll(needle, 100, options, &stats);
    EXPECT_EQ(hits, std::vector<std::uint64_t>(places.begin(), places.end()));
    EXPECT_GE(stats.bytesRead, size);
    EXPECT_EQ(stats.unreadableBytes, 0u);
  }
  // At most maxHits, the lowest ones.
  const auto two = ImageScanner(*image).findAll(needle, 2);
  EXPECT_EQ(two, (std::vector<std::uint64_t>{0, 0x10000 - 5}));
}

TEST(ImageScanner, VisitsEachBackedByteOnceAcrossRangesAndThreads) {
  test::ElfCoreSpec spec;
  spec.loads.push_back({0x1000, test::patternBytes(0x9f000, 1), 0});
  spec.loads.push_back({0x100000000ull, test::patternBytes(0x300000, 2), 0});
  const std::string path = test::scratchDir() + "/scan.elf";
  test::writeFile(path, test::buildElfCore(spec));
  const auto image = openPhysicalMemory(path);
  ImageScanOptions options;
  options.chunkSize = 0x40000;
  options.parallelThreshold = 0;
  std::mutex mutex;
  std::set<std::uint64_t> starts;
  std::uint64_t bytes = 0;
  const ImageScanStats stats = ImageScanner(*image).scan(
      [&](unsigned, std::uint64_t pa, std::span<const std::uint8_t> chunk) {
        std::lock_guard lock(mutex);
        EXPECT_TRUE(starts.insert(pa).second) << pa;
        // Every boundary inside a range is a multiple of the chunk size.
        EXPECT_TRUE(pa == 0x1000 || pa == 0x100000000ull || pa % options.chunkSize == 0) << pa;
        bytes += chunk.size();
        return true;
      },
      options);
  EXPECT_EQ(bytes, 0x9f000u + 0x300000u);
  EXPECT_EQ(stats.bytesRead, bytes);
  EXPECT_FALSE(stats.stopped);
}

TEST(ImageScanner, AVisitorCanStopTheScan) {
  const std::string path = test::scratchDir() + "/stop.raw";
  test::writeFile(path, test::patternBytes(1 << 20, 3));
  const auto image = openPhysicalMemory(path);
  ImageScanOptions options;
  options.chunkSize = 0x10000;
  options.parallelThreshold = std::uint64_t{1} << 40;  // one thread: exact count
  int visits = 0;
  const auto stats = ImageScanner(*image).scan(
      [&](unsigned, std::uint64_t, std::span<const std::uint8_t>) { return ++visits < 3; },
      options);
  EXPECT_EQ(visits, 3);
  EXPECT_TRUE(stats.stopped);
  EXPECT_EQ(stats.bytesRead, 3u * 0x10000);
}

TEST(BlockCache, ServesSmallReadsWithinItsBoundAndAgreesWithTheFile) {
  const Bytes file = test::patternBytes(100000, 5);
  std::uint64_t fills = 0;
  BlockCache cache(4096, 4, file.size(), [&](std::uint64_t offset, std::span<std::uint8_t> out) {
    ++fills;
    const std::size_t n = std::min<std::size_t>(out.size(), file.size() - offset);
    std::memcpy(out.data(), file.data() + offset, n);
    return n;
  });
  EXPECT_EQ(cache.capacityBytes(), 4u * 4096);
  std::vector<std::uint8_t> out(300);
  for (const std::uint64_t at : {0ull, 4000ull, 4000ull, 70000ull, 99800ull}) {
    const std::size_t got = cache.copy(at, out);
    const std::size_t expected = std::min<std::size_t>(out.size(), file.size() - at);
    ASSERT_EQ(got, expected) << at;
    EXPECT_EQ(0, std::memcmp(out.data(), file.data() + at, got)) << at;
  }
  EXPECT_GT(cache.hits(), 0u);  // the second read at 4000
  EXPECT_EQ(cache.copy(file.size(), out), 0u);
  // A sweep over 24 blocks with 4 slots keeps working (slots are reused).
  for (std::uint64_t at = 0; at + 300 < file.size(); at += 4096) {
    ASSERT_EQ(cache.copy(at, out), 300u);
    EXPECT_EQ(0, std::memcmp(out.data(), file.data() + at, 300));
  }
  EXPECT_LE(fills, cache.misses());
}

}  // namespace
}  // namespace xnuscope
