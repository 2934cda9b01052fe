// The one whole-image scanner: a pass over every backed byte of guest physical
// memory (decoy banners, beacon pages, PML4 or lowGlo fallbacks). It reads large
// chunks with PhysicalMemory::read() — pread(2) into one reused buffer per thread,
// never page faults through a mapping, so RSS stays at threads × chunk size — and
// hands each chunk to a visitor that searches it with memchr/memmem-style loops.
// Sources that allow concurrent reads are scanned by several threads.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/Progress.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope {

struct ImageScanOptions {
  std::string stage = "scanning memory";  // progress label
  ProgressFn progress;                    // called on the calling thread only
  std::size_t chunkSize = 8u << 20;       // bytes per read(); chunks start at multiples
  // Each chunk is extended by this many bytes of the next one, so that a pattern of
  // up to overlap+1 bytes is never split between chunks.
  std::size_t overlap = 0;
  std::uint64_t parallelThreshold = 256ull << 20;  // smaller images: one thread
  unsigned maxThreads = 4;
  // Only the backed bytes inside [from, to) are scanned.
  std::uint64_t from = 0;
  std::uint64_t to = UINT64_MAX;
};

struct ImageScanStats {
  std::uint64_t bytesRead = 0;        // bytes copied out of the source
  std::uint64_t unreadableBytes = 0;  // inside ranges() but read() came back short
  unsigned threads = 1;
  bool stopped = false;  // a visitor asked to stop
};

class ImageScanner {
 public:
  explicit ImageScanner(const PhysicalMemory& memory) : memory_(memory) {}

  // Calls visit(worker, pa, bytes) for every chunk of every backed range, bytes
  // starting at physical address pa. With several threads, visitors run
  // concurrently (worker < stats.threads tells them apart); chunks come in no
  // particular order. A visitor returning false stops the whole scan soon after.
  // Exceptions from read() or a visitor are rethrown on the calling thread.
  using ChunkVisitor =
      std::function<bool(unsigned worker, std::uint64_t pa, std::span<const std::uint8_t> bytes)>;
  ImageScanStats scan(const ChunkVisitor& visit, const ImageScanOptions& options = {}) const;

  // How many threads scan() will use with `options` (for per-worker results).
  unsigned threadsFor(const ImageScanOptions& options) const;

  // Physical addresses of the occurrences of `needle`, ascending, at most `maxHits`
  // (the lowest ones). Reads every backed byte unless `maxHits` stops it early.
  std::vector<std::uint64_t> findAll(std::string_view needle, std::size_t maxHits,
                                     ImageScanOptions options = {},
                                     ImageScanStats* stats = nullptr) const;

 private:
  const PhysicalMemory& memory_;
};

}  // namespace xnuscope
