// Walks a task's vm_map: the circular doubly linked list of vm_map_entry headed by
// _vm_map.hdr.links. Bounded by hdr.nentries (plus slack) and a hard cap, with a
// seen-set for cycles; a poisoned (0xdeadbeefdeadbeef), non-kernel or unreadable
// link ends the walk with a warning and what was read so far.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "xnu/VmMapEntryRecord.h"
#include "xnu/WalkStatus.h"
#include "xnu/XnuKernel.h"

namespace xnuscope {

struct VmMapWalkerLimits {
  std::size_t maxEntries = 1000000;
};

struct VmMapListing {
  std::uint64_t map = 0;
  std::int64_t declaredEntries = 0;       // hdr.nentries
  std::optional<std::uint64_t> pmapCr3;   // map->pmap->pm_cr3
  std::vector<VmMapEntryRecord> entries;  // sorted by start
  WalkStatus status;

  std::uint64_t totalSize() const {
    std::uint64_t total = 0;
    for (const auto& entry : entries) total += entry.size();
    return total;
  }
};

class VmMapWalker {
 public:
  explicit VmMapWalker(const XnuKernel& kernel, VmMapWalkerLimits limits = {});

  VmMapListing walk(std::uint64_t mapVa) const;

  // Decodes one entry from its bytes (layout.entrySize of them) at `entryVa`.
  VmMapEntryRecord decode(std::uint64_t entryVa, const std::uint8_t* bytes) const;

 private:
  const XnuKernel& kernel_;
  VmMapWalkerLimits limits_;
};

}  // namespace xnuscope
