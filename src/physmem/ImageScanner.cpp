#include "physmem/ImageScanner.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>
#include <thread>

namespace xnuscope {

unsigned ImageScanner::threadsFor(const ImageScanOptions& options) const {
  if (!memory_.supportsConcurrentReads() || memory_.backedBytes() < options.parallelThreshold) {
    return 1;
  }
  return std::clamp(std::thread::hardware_concurrency(), 1u, std::max(1u, options.maxThreads));
}

ImageScanStats ImageScanner::scan(const ChunkVisitor& visit,
                                  const ImageScanOptions& options) const {
  struct Chunk {
    std::uint64_t pa;
    std::size_t length;  // without the overlap
    std::uint64_t rangeEnd;
  };
  // A multiple of the page size (see the chunk boundaries below).
  const std::size_t chunkSize = std::max<std::size_t>(options.chunkSize & ~std::size_t{4095}, 4096);
  std::vector<Chunk> chunks;
  for (const PhysRange& range : memory_.ranges()) {
    // Chunk boundaries sit at multiples of chunkSize in physical address space, so
    // that every boundary inside a range is page-aligned.
    const std::uint64_t rangeEnd = std::min(range.end(), options.to);
    for (std::uint64_t pa = std::max(range.start, options.from); pa < rangeEnd;) {
      const std::uint64_t boundary = (pa / chunkSize + 1) * chunkSize;
      const std::uint64_t end = std::min(boundary, rangeEnd);
      chunks.push_back({pa, static_cast<std::size_t>(end - pa), rangeEnd});
      pa = end;
    }
  }
  std::uint64_t total = 0;
  for (const Chunk& chunk : chunks) total += chunk.length;
  ImageScanStats stats;
  stats.threads = threadsFor(options);

  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> done{0};
  std::atomic<bool> stop{false};
  std::vector<ImageScanStats> partial(stats.threads);
  auto work = [&](unsigned worker) {
    // Not zeroed: every byte visited was just read into it (zeroing 8 MiB cost a
    // page fault per 4 KiB before the first read).
    const auto buffer = std::make_unique_for_overwrite<std::uint8_t[]>(chunkSize + options.overlap);
    for (std::size_t i;
         !stop.load(std::memory_order_relaxed) && (i = next.fetch_add(1)) < chunks.size();) {
      const Chunk& chunk = chunks[i];
      const std::size_t want = static_cast<std::size_t>(
          std::min<std::uint64_t>(chunk.length + options.overlap, chunk.rangeEnd - chunk.pa));
      const std::size_t got = memory_.read(chunk.pa, std::span<std::uint8_t>(buffer.get(), want));
      partial[worker].bytesRead += got;
      if (got < chunk.length) partial[worker].unreadableBytes += chunk.length - got;
      if (got > 0 && !visit(worker, chunk.pa, std::span<const std::uint8_t>(buffer.get(), got))) {
        partial[worker].stopped = true;
        stop.store(true);
      }
      const std::uint64_t now = done.fetch_add(chunk.length) + chunk.length;
      if (worker == 0 && options.progress) options.progress(options.stage, now, total);
    }
  };
  std::vector<std::exception_ptr> failures(stats.threads);
  auto guarded = [&](unsigned worker) {
    try {
      work(worker);
    } catch (...) {
      failures[worker] = std::current_exception();
      stop.store(true);
    }
  };
  {
    std::vector<std::jthread> helpers;
    for (unsigned worker = 1; worker < stats.threads; ++worker)
      helpers.emplace_back(guarded, worker);
    guarded(0);
  }  // joins the helpers
  for (const auto& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  for (const ImageScanStats& part : partial) {
    stats.bytesRead += part.bytesRead;
    stats.unreadableBytes += part.unreadableBytes;
    stats.stopped |= part.stopped;
  }
  if (options.progress) options.progress(options.stage, done.load(), total);
  return stats;
}

std::vector<std::uint64_t> ImageScanner::findAll(std::string_view needle, std::size_t maxHits,
                                                 ImageScanOptions options,
                                                 ImageScanStats* stats) const {
  std::vector<std::uint64_t> hits;
  if (needle.empty() || maxHits == 0) return hits;
  options.overlap = needle.size() - 1;
  const unsigned threads = threadsFor(options);
  std::vector<std::vector<std::uint64_t>> found(threads);
  const ImageScanStats scanned = scan(
      [&](unsigned worker, std::uint64_t pa, std::span<const std::uint8_t> bytes) {
        const auto* at = bytes.data();
        const auto* limit = bytes.data() + bytes.size();
        // memchr for the first byte runs at memory speed (SIMD in glibc); memcmp
        // only at its hits. A match inside the overlap is the next chunk's: skip.
        const std::size_t ownBytes = bytes.size() >= needle.size() ? bytes.size() : 0;
        while (at < limit) {
          const void* found1 = std::memchr(at, needle.front(), limit - at);
          if (!found1) break;
          const auto* hit = static_cast<const std::uint8_t*>(found1);
          const std::size_t offset = static_cast<std::size_t>(hit - bytes.data());
          if (offset + needle.size() > ownBytes) break;
          if (std::memcmp(hit, needle.data(), needle.size()) == 0) {
            found[worker].push_back(pa + offset);
          }
          at = hit + 1;
        }
        // Only one thread: the first maxHits hits in address order are known.
        return threads > 1 || found[worker].size() < maxHits;
      },
      options);
  for (auto& part : found) hits.insert(hits.end(), part.begin(), part.end());
  std::sort(hits.begin(), hits.end());
  hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
  if (hits.size() > maxHits) hits.resize(maxHits);
  if (stats) *stats = scanned;
  return hits;
}

}  // namespace xnuscope
