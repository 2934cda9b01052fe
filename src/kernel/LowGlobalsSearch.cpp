#include "kernel/LowGlobalsSearch.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace xnuscope {

std::optional<LowGlobals> LowGlobalsSearch::at(std::uint64_t pa) const {
  std::vector<std::uint8_t> page(4096);
  if (scanner_.read(pa, page) != page.size()) return std::nullopt;
  return LowGlobals::parse(pa, page);
}

const std::vector<LowGlobals>& LowGlobalsSearch::all() {
  if (!all_) {
    all_.emplace();
    scanner_.forEachStride(
        0, UINT64_MAX, 4096, 0, 16,
        [&](std::uint64_t pa, std::span<const std::uint8_t> probe) {
          if (LowGlobals::matchesSignature(probe)) {
            if (auto lowGlobals = at(pa)) all_->push_back(*lowGlobals);
          }
          return all_->size() < kMaxPages;
        },
        progress_);
  }
  return *all_;
}

std::optional<LowGlobals> LowGlobalsSearch::forKernel(const KernelInfo& info,
                                                      const SymbolLookup& symbolVa,
                                                      const KernelMemoryView& kernel) {
  std::optional<LowGlobals> found;
  if (const auto va = symbolVa("_lowGlo")) {
    if (const auto pa = kernel.toPhysical(*va)) found = at(*pa);
  }
  if (!found && !info.segments.empty()) {
    // lowGlo is a page-aligned writable global (osfmk/x86_64/lowmem_vectors.c), so
    // the kernel's __DATA segments are searched first; then the whole image span
    // (an odd link order, a kernel collection).
    std::vector<std::pair<std::uint64_t, std::uint64_t>> spans;
    std::uint64_t low = UINT64_MAX, high = 0;
    for (const auto& segment : info.segments) {
      low = std::min(low, segment.pa);
      high = std::max(high, segment.pa + segment.size);
      if (segment.name.rfind("__DATA", 0) == 0) {
        spans.emplace_back(segment.pa, segment.pa + segment.size);
      }
    }
    spans.emplace_back(low, high);
    for (const auto& [from, to] : spans) {
      scanner_.forEachStride(from, to, 4096, 0, 16,
                             [&](std::uint64_t pa, std::span<const std::uint8_t> probe) {
                               if (!LowGlobals::matchesSignature(probe)) return true;
                               found = at(pa);
                               return !found;
                             });
      if (found) break;
    }
  }
  if (!found) {
    for (const auto& candidate : all()) {
      if (!found || candidate.textStart == info.kernelBaseVa) found = candidate;
    }
  }
  return found;
}

}  // namespace xnuscope
