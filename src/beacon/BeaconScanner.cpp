#include "beacon/BeaconScanner.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <exception>
#include <thread>

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

  // Copying out of the page cache proceeds in parallel on several cores. Only
  // file-backed sources (those offering zero-copy views) are read by several
  // threads: read() of other sources (e.g. live QEMU) is not promised to be
  // thread-safe.
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
    std::vector<std::uint8_t> buffer;
    for (std::size_t i; (i = nextChunk.fetch_add(1)) < chunks.size();) {
      const Chunk& chunk = chunks[i];
      // read(), not view(): a one-shot pass over cold pages of a mapped image pays
      // a page fault per 4 KiB page (and, inside a VM, a nested page walk), while
      // sources serve large reads with pread(2) from the page cache at copy speed
      // (docs/performance.md). view() wins only for pages already mapped.
      buffer.resize(chunk.length);
      const std::size_t got = memory_.read(chunk.pa, buffer);
      scanBlock(buffer.data(), alignDown(got), chunk.pa, result);
      result.unreadableBytes += chunk.length - got;
      result.bytesScanned += chunk.length;
      const std::uint64_t now = done.fetch_add(chunk.length) + chunk.length;
      // Progress callbacks (terminal output) only ever run on the calling thread.
      if (worker == 0 && progress) progress("beacon scan", now, total);
    }
  };
  // A source may throw from read(); a helper must not let that escape its thread
  // (std::terminate), so the first failure is carried back and rethrown here.
  std::vector<std::exception_ptr> failures(threads);
  auto guarded = [&](unsigned worker) {
    try {
      work(worker);
    } catch (...) {
      failures[worker] = std::current_exception();
      nextChunk.store(chunks.size());  // stop the others early
    }
  };
  {
    std::vector<std::jthread> helpers;
    for (unsigned worker = 1; worker < threads; ++worker) helpers.emplace_back(guarded, worker);
    guarded(0);
  }  // joins the helpers
  for (const auto& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
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
