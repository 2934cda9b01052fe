// Finds lowGlo pages (kernel/LowGlobals.h) in guest RAM: the one at a physical
// address, every one in RAM (searched once, then cached), and the one that
// belongs to a kernel hypothesis — at its slid `_lowGlo`, else inside its image,
// else anywhere in RAM, preferring a page whose lgStext names this kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/Progress.h"
#include "kernel/KernelFacts.h"
#include "kernel/KernelInfo.h"
#include "kernel/LowGlobals.h"
#include "kernel/PhysicalScanner.h"

namespace xnuscope {

class LowGlobalsSearch {
 public:
  // At most this many pages are kept by all(): a real guest has one.
  static constexpr std::size_t kMaxPages = 64;

  // `scanner` must outlive the search; `progress` reports the all-of-RAM scan.
  explicit LowGlobalsSearch(const PhysicalScanner& scanner, ProgressFn progress = {})
      : scanner_(scanner), progress_(std::move(progress)) {}

  // The lowGlo page at `pa`; nullopt when the page is unreadable or unsigned.
  std::optional<LowGlobals> at(std::uint64_t pa) const;

  // Every lowGlo page in RAM, in address order (at most kMaxPages).
  const std::vector<LowGlobals>& all();

  // The page of the kernel `info` describes (its base VA and segments): at
  // `_lowGlo` translated by `kernel`, else the first inside the image's segments,
  // else the one in all() whose lgStext is the kernel's base (the first one when
  // none is). nullopt when RAM holds no lowGlo page.
  std::optional<LowGlobals> forKernel(const KernelInfo& info, const SymbolLookup& symbolVa,
                                      const KernelMemoryView& kernel);

 private:
  const PhysicalScanner& scanner_;
  ProgressFn progress_;
  std::optional<std::vector<LowGlobals>> all_;
};

}  // namespace xnuscope
