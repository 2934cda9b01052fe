// Decodes the pages of one Layout B session (the reference macOS companion) into
// a process list. Layout B has no version words and no timestamps, and its writer
// packs 40 entries per process-list page although only 37 fit: entries 37..39 of
// every full page land in the next virtual page and are overwritten there, so they
// cannot be recovered from physical memory.
#pragma once

#include <vector>

#include "beacon/BeaconPageClassifier.h"
#include "beacon/BeaconSnapshot.h"

namespace xnuscope {

class LayoutBDecoder {
 public:
  // `pages`: the session's Layout B pages, in physical address order. Fills
  // processes, declaredProcessCount, complete and warnings of `out`; returns how
  // many pages were superseded duplicates.
  std::uint64_t decode(const std::vector<ClassifiedBeaconPage>& pages, BeaconSnapshot& out) const;
};

}  // namespace xnuscope
