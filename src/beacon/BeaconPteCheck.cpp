#include "beacon/BeaconPteCheck.h"

#include <algorithm>

#include "beacon/BeaconFormat.h"

namespace xnuscope {

bool isMadeUpBeaconPte(std::uint64_t va, std::uint64_t pa) {
  namespace a = beacon::layout_a;
  return pa == a::kMadeUpPteBase + (va & ~std::uint64_t{0xFFF}) ||
         pa == a::kMadeUpPteBase + (va & std::uint64_t{0xFFFFF000});
}

void checkBeaconPte(const PhysicalMemory& memory, BeaconPte& pte) {
  pte.verified = false;
  if ((pte.flags & beacon::layout_a::kPtePresent) == 0) {
    pte.note = "not marked present";
  } else if ((pte.pa & 0xFFF) != 0) {
    pte.note = "pa is not page-aligned";
  } else if (isMadeUpBeaconPte(pte.va, pte.pa)) {
    pte.note = "made-up pa (0x40000000 + va page): the writer could not read its page tables";
  } else {
    const auto& ranges = memory.ranges();
    const bool backed = std::any_of(ranges.begin(), ranges.end(), [&](const PhysRange& r) {
      return r.contains(pte.pa) && r.end() - pte.pa >= beacon::kPageSize;
    });
    if (!backed) {
      pte.note = "pa is outside the image's physical memory";
    } else {
      pte.verified = true;
      pte.note = "pa is backed by the image";
    }
  }
}

}  // namespace xnuscope
