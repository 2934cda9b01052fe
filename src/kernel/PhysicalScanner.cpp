#include "kernel/PhysicalScanner.h"

#include <algorithm>
#include <cstring>

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
        std::span<const std::uint8_t> probe;
        if (auto view = memory_.view(pa, probeBytes)) {
          probe = *view;
        } else {
          const std::size_t got = memory_.read(pa, std::span<std::uint8_t>(buffer, probeBytes));
          probe = std::span<const std::uint8_t>(buffer, got);
        }
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
  std::vector<std::uint64_t> hits;
  if (needle.empty()) return hits;
  constexpr std::size_t kChunk = 4u << 20;
  std::vector<std::uint8_t> buffer(kChunk + needle.size());
  const std::uint64_t total = memory_.backedBytes();
  std::uint64_t done = 0;
  for (const PhysRange& range : memory_.ranges()) {
    // Chunks overlap by needle.size()-1 bytes so that no match is split.
    for (std::uint64_t pa = range.start; pa < range.end() && hits.size() < maxHits;) {
      const std::size_t want = static_cast<std::size_t>(
          std::min<std::uint64_t>(kChunk + needle.size() - 1, range.end() - pa));
      const std::uint8_t* data;
      std::size_t length;
      if (auto view = memory_.view(pa, want)) {
        data = view->data();
        length = view->size();
      } else {
        length = memory_.read(pa, std::span<std::uint8_t>(buffer.data(), want));
        data = buffer.data();
      }
      touched_ += length;
      const std::uint8_t* at = data;
      const std::uint8_t* limit = data + length;
      while (hits.size() < maxHits) {
        const void* found = memmem(at, limit - at, needle.data(), needle.size());
        if (!found) break;
        const auto* hit = static_cast<const std::uint8_t*>(found);
        // A match inside the overlap is seen by two chunks; keep it once.
        if (hits.empty() || pa + (hit - data) > hits.back()) hits.push_back(pa + (hit - data));
        at = hit + 1;
      }
      if (length < want || length < needle.size()) break;
      pa += length - (needle.size() - 1);
      if (progress) progress("searching for banners", done + (pa - range.start), total);
    }
    done += range.size;
  }
  return hits;
}

}  // namespace xnuscope
