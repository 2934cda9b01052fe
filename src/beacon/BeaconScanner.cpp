#include "beacon/BeaconScanner.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <thread>

namespace xnuscope {
namespace {

constexpr std::uint64_t kPageMask = beacon::kPageSize - 1;

std::uint64_t alignUp(std::uint64_t value) { return (value + kPageMask) & ~kPageMask; }
std::uint64_t alignDown(std::uint64_t value) { return value & ~kPageMask; }

// Maps a whole chunk of a memory-mapped source in one system call instead of one
// page fault per 4 KiB page (the scan touches one word per page, so faults, not
// bandwidth, would otherwise bound it). Purely a hint: it changes no data, and
// when the kernel lacks it (Linux < 5.14, other OSes) the scan simply faults.
void prefault(std::span<const std::uint8_t> view) {
#if defined(__linux__)
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
  const auto address = reinterpret_cast<std::uintptr_t>(view.data());
  const std::uintptr_t start = address & ~static_cast<std::uintptr_t>(kPageMask);
  ::madvise(reinterpret_cast<void*>(start), view.size() + (address - start), MADV_POPULATE_READ);
#else
  (void)view;
#endif
}

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
  // Cut every range into 4 KiB-aligned chunks. Guest pages are 4 KiB-aligned in
  // physical address space; a range that starts mid-page cannot hold a whole
  // beacon page in its first partial page.
  struct Chunk {
    std::uint64_t pa;
    std::size_t length;
  };
  std::vector<Chunk> chunks;
  for (const PhysRange& range : memory_.ranges()) {
    const std::uint64_t end = alignDown(range.end());
    for (std::uint64_t pa = alignUp(range.start); pa < end; pa += kChunkSize) {
      chunks.push_back(
          {pa, static_cast<std::size_t>(std::min<std::uint64_t>(kChunkSize, end - pa))});
    }
  }
  const std::uint64_t total = memory_.backedBytes();

  // Bringing pages of a memory-mapped image into the address space (page faults)
  // dominates the scan, and faults on different pages proceed in parallel. Only
  // sources with zero-copy views are scanned by several threads: read() of other
  // sources (e.g. live QEMU) is not promised to be thread-safe.
  const bool viewable = !chunks.empty() && memory_.view(chunks[0].pa, chunks[0].length).has_value();
  unsigned threads = 1;
  if (viewable && total >= kParallelThreshold) {
    threads = std::clamp(std::thread::hardware_concurrency(), 1u, kMaxThreads);
  }

  std::atomic<std::size_t> nextChunk{0};
  std::atomic<std::uint64_t> done{0};
  std::vector<BeaconScanResult> partial(threads);
  auto work = [&](unsigned worker) {
    BeaconScanResult& result = partial[worker];
    std::vector<std::uint8_t> buffer;  // only for sources without view()
    for (std::size_t i; (i = nextChunk.fetch_add(1)) < chunks.size();) {
      const Chunk& chunk = chunks[i];
      if (auto view = memory_.view(chunk.pa, chunk.length)) {
        prefault(*view);
        scanBlock(view->data(), view->size(), chunk.pa, result);
      } else {
        buffer.resize(chunk.length);
        const std::size_t got = memory_.read(chunk.pa, buffer);
        scanBlock(buffer.data(), alignDown(got), chunk.pa, result);
        result.unreadableBytes += chunk.length - got;
      }
      result.bytesScanned += chunk.length;
      const std::uint64_t now = done.fetch_add(chunk.length) + chunk.length;
      // Progress callbacks (terminal output) only ever run on the calling thread.
      if (worker == 0 && progress) progress("beacon scan", now, total);
    }
  };
  {
    std::vector<std::jthread> helpers;
    for (unsigned worker = 1; worker < threads; ++worker) helpers.emplace_back(work, worker);
    work(0);
  }  // joins the helpers
  if (progress) progress("beacon scan", done.load(), total);

  BeaconScanResult result;
  for (BeaconScanResult& part : partial) {
    result.bytesScanned += part.bytesScanned;
    result.magicPages += part.magicPages;
    result.pagesDropped += part.pagesDropped;
    result.unreadableBytes += part.unreadableBytes;
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
