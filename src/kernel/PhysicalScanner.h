// Reads small probes from guest physical memory for the kernel scans and keeps
// count of the bytes it touched, so that scan cost can be reported and bounded.
// Whole-image searches go through the shared ImageScanner (physmem/ImageScanner.h).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "core/Progress.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope {

class PhysicalScanner {
 public:
  explicit PhysicalScanner(const PhysicalMemory& memory) : memory_(memory) {}

  // Bytes read, counted.
  std::size_t read(std::uint64_t pa, std::span<std::uint8_t> out) const;

  // Calls `visit(pa, probe)` for every address ≡ `phase` (mod `stride`) inside a
  // backed range intersecting [start, end), with the first `probeBytes` bytes there
  // (stride and probeBytes ≤ 4096). Stops when `visit` returns false. Strides up to
  // kDenseStride read the range in large sequential chunks (ImageScanner); sparser
  // ones read only the probes.
  using PageVisitor = std::function<bool(std::uint64_t pa, std::span<const std::uint8_t> probe)>;
  void forEachStride(std::uint64_t start, std::uint64_t end, std::uint64_t stride,
                     std::uint64_t phase, std::size_t probeBytes, const PageVisitor& visit,
                     const ProgressFn& progress = {}) const;

  // Physical addresses of every occurrence of `needle` in backed memory (at most
  // `maxHits`). Reads all backed bytes (multi-threaded, large reads): use only
  // when asked or cheap.
  std::vector<std::uint64_t> findAll(std::string_view needle, std::size_t maxHits,
                                     const ProgressFn& progress = {}) const;

  static constexpr std::uint64_t kDenseStride = 64 * 1024;

  std::uint64_t bytesTouched() const { return touched_; }
  const PhysicalMemory& memory() const { return memory_; }

 private:
  const PhysicalMemory& memory_;
  mutable std::uint64_t touched_ = 0;
};

}  // namespace xnuscope
