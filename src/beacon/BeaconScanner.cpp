#include "beacon/BeaconScanner.h"

#include <algorithm>
#include <bit>
#include <cstring>

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
  BeaconScanResult result;
  const std::uint64_t total = memory_.backedBytes();
  std::uint64_t done = 0;
  std::vector<std::uint8_t> buffer;  // only for sources without view()

  for (const PhysRange& range : memory_.ranges()) {
    // Guest pages are 4 KiB-aligned in physical address space; a range that
    // starts mid-page cannot hold a whole beacon page in its first partial page.
    std::uint64_t pa = alignUp(range.start);
    const std::uint64_t end = alignDown(range.end());
    while (pa < end) {
      const std::size_t length =
          static_cast<std::size_t>(std::min<std::uint64_t>(kChunkSize, end - pa));
      if (auto view = memory_.view(pa, length)) {
        scanBlock(view->data(), view->size(), pa, result);
      } else {
        buffer.resize(length);
        const std::size_t got = memory_.read(pa, buffer);
        scanBlock(buffer.data(), alignDown(got), pa, result);
        result.unreadableBytes += length - got;
      }
      pa += length;
      result.bytesScanned += length;
      done += length;
      if (progress) progress("beacon scan", done, total);
    }
  }
  return result;
}

}  // namespace xnuscope
