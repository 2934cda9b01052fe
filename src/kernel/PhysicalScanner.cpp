#include "kernel/PhysicalScanner.h"

#include <algorithm>
#include <cstring>

#include "physmem/ImageScanner.h"

namespace xnuscope {

std::size_t PhysicalScanner::read(std::uint64_t pa, std::span<std::uint8_t> out) const {
  const std::size_t got = memory_.read(pa, out);
  touched_ += got;
  return got;
}

void PhysicalScanner::forEachStride(std::uint64_t start, std::uint64_t end, std::uint64_t stride,
                                    std::uint64_t phase, std::size_t probeBytes,
                                    const PageVisitor& visit, const ProgressFn& progress) const {
  std::uint8_t buffer[4096];
  probeBytes = std::min<std::size_t>(probeBytes, sizeof buffer);
  if (stride <= kDenseStride) {
    // Dense: every page (or more often). Large sequential reads through the shared
    // scanner (one thread: visitors run in address order and may stop early)
    // instead of one small read per probe.
    ImageScanOptions options;
    options.stage = "scanning physical memory";
    options.progress = progress;
    options.overlap = probeBytes - 1;
    options.maxThreads = 1;
    // Dense probing mostly stops early (lowGlo inside the kernel's __DATA): small
    // chunks keep the read past the hit (and the fresh buffer pages a short
    // command faults in) small; 256 KiB reads still run at read(2) rate.
    options.chunkSize = 256u << 10;
    options.from = start;
    options.to = end;
    const ImageScanStats stats = ImageScanner(memory_).scan(
        [&](unsigned, std::uint64_t pa, std::span<const std::uint8_t> bytes) {
          // This chunk owns the points below the next chunk boundary.
          const std::uint64_t owned = std::min<std::uint64_t>(
              (pa / options.chunkSize + 1) * options.chunkSize, pa + bytes.size());
          std::uint64_t at = pa - (pa % stride) + (phase % stride);
          if (at < pa) at += stride;
          for (; at < owned && at - pa + probeBytes <= bytes.size(); at += stride) {
            if (!visit(at, bytes.subspan(at - pa, probeBytes))) return false;
          }
          return true;
        },
        options);
    touched_ += stats.bytesRead;
    return;
  }
  const std::uint64_t total = memory_.backedBytes();
  std::uint64_t done = 0;
  for (const PhysRange& range : memory_.ranges()) {
    const std::uint64_t from = std::max(range.start, start);
    const std::uint64_t to = std::min(range.end(), end);
    if (from < to) {
      // First address ≥ from that is ≡ phase (mod stride).
      std::uint64_t pa = from - (from % stride) + (phase % stride);
      if (pa < from) pa += stride;
      for (; pa < to && pa + probeBytes <= range.end(); pa += stride) {
        // read(), not view(): a mapped probe would fault a page (and its
        // neighbours) into the process's RSS for every 2 MiB of a 64 GiB image.
        const std::size_t got = memory_.read(pa, std::span<std::uint8_t>(buffer, probeBytes));
        const std::span<const std::uint8_t> probe(buffer, got);
        touched_ += probe.size();
        if (!visit(pa, probe)) return;
      }
    }
    done += range.size;
    if (progress) progress("scanning physical memory", done, total);
  }
}

std::vector<std::uint64_t> PhysicalScanner::findAll(std::string_view needle, std::size_t maxHits,
                                                    const ProgressFn& progress) const {
  ImageScanOptions options;
  options.stage = "searching for banners";
  options.progress = progress;
  ImageScanStats stats;
  auto hits = ImageScanner(memory_).findAll(needle, maxHits, options, &stats);
  touched_ += stats.bytesRead;
  return hits;
}

}  // namespace xnuscope
