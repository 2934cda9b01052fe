#include "beacon/BeaconScanner.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>

#include "physmem/ImageScanner.h"

namespace xnuscope {
namespace {

constexpr std::uint64_t kPageMask = beacon::kPageSize - 1;

std::uint64_t alignUp(std::uint64_t value) { return (value + kPageMask) & ~kPageMask; }
std::uint64_t alignDown(std::uint64_t value) { return value & ~kPageMask; }

}  // namespace

void BeaconScanner::scanBlock(const std::uint8_t* data, std::size_t length, std::uint64_t pa,
                              BeaconScanResult& result) const {
  // The hot loop: one aligned 32-bit load per 4 KiB page. memcpy compiles to a
  // single load; the page itself is brought in by the memory system either way.
  for (std::size_t offset = 0; offset + beacon::kPageSize <= length; offset += beacon::kPageSize) {
    std::uint32_t word;
    std::memcpy(&word, data + offset, sizeof word);
    if (word != beacon::kMagic) [[likely]] {  // little-endian host: CE FA 42 31
      continue;
    }
    ++result.magicPages;
    if (result.pages.size() >= kMaxPagesKept) {
      ++result.pagesDropped;
      continue;
    }
    RawBeaconPage& page = result.pages.emplace_back();
    page.pa = pa + offset;
    std::memcpy(page.bytes.data(), data + offset, beacon::kPageSize);
  }
}

BeaconScanResult BeaconScanner::scan(const ProgressFn& progress) const {
  static_assert(std::endian::native == std::endian::little,
                "the magic comparison in scanBlock assumes a little-endian host");
  // The shared whole-image scanner reads 4 MiB chunks (pread into a per-thread
  // buffer, several threads for large file images); chunk boundaries are
  // page-aligned, and a range that starts mid-page cannot hold a whole beacon page
  // in its first partial page.
  ImageScanOptions options;
  options.stage = "beacon scan";
  options.progress = progress;
  options.chunkSize = kChunkSize;
  options.parallelThreshold = kParallelThreshold;
  options.maxThreads = kMaxThreads;
  const ImageScanner scanner(memory_);
  std::vector<BeaconScanResult> partial(scanner.threadsFor(options));
  const ImageScanStats stats = scanner.scan(
      [&](unsigned worker, std::uint64_t pa, std::span<const std::uint8_t> bytes) {
        const std::uint64_t skip = std::min<std::uint64_t>(alignUp(pa) - pa, bytes.size());
        scanBlock(bytes.data() + skip, alignDown(bytes.size() - skip), pa + skip, partial[worker]);
        return true;
      },
      options);

  BeaconScanResult result;
  result.bytesScanned = stats.bytesRead + stats.unreadableBytes;
  result.unreadableBytes = stats.unreadableBytes;
  for (BeaconScanResult& part : partial) {
    result.magicPages += part.magicPages;
    result.pagesDropped += part.pagesDropped;
    for (RawBeaconPage& page : part.pages) result.pages.push_back(std::move(page));
  }
  std::sort(result.pages.begin(), result.pages.end(),
            [](const RawBeaconPage& l, const RawBeaconPage& r) { return l.pa < r.pa; });
  if (result.pages.size() > kMaxPagesKept) {
    result.pagesDropped += result.pages.size() - kMaxPagesKept;
    result.pages.resize(kMaxPagesKept);
  }
  return result;
}

}  // namespace xnuscope
