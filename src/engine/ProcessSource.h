// Where a process list and a process' memory map come from. Two implementations:
// KernelProcessSource walks the kernel's own structures with a profile's layout;
// BeaconProcessSource answers from what an in-guest companion published. Both give
// the same rows (Process, MapEntry), so callers never branch on the source.
#pragma once

#include <cstdint>

#include "engine/MapEntry.h"
#include "engine/Process.h"
#include "engine/ProfileSource.h"

namespace xnuscope::engine {

class ProcessSource {
 public:
  virtual ~ProcessSource() = default;

  // Exact or Derived (kernel walk), Beacon (companion pages).
  virtual ProfileSource source() const = 0;

  virtual ProcessList processes() const = 0;

  // The memory map of `pid`. Throws InputError when there is no such process;
  // AnalysisError when it has no readable map.
  virtual MapList maps(std::int32_t pid) const = 0;
};

}  // namespace xnuscope::engine
