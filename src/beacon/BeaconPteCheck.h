// Decides whether a PTE a companion published can be believed. Companions run in
// the guest and may be wrong or hostile; the reference writer even emits made-up
// entries (pa = 0x40000000 + (va & ~0xFFF)) when it cannot read pagemap.
#pragma once

#include "beacon/BeaconSnapshot.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope {

// True when `pa` is exactly what the reference writer makes up for `va` (both the
// documented 64-bit form and the writer's actual 32-bit-masked arithmetic).
bool isMadeUpBeaconPte(std::uint64_t va, std::uint64_t pa);

// Sets pte.verified and pte.note. Verified means: present flag set, pa page-aligned,
// pa backed by the image, and pa not the made-up pattern.
void checkBeaconPte(const PhysicalMemory& memory, BeaconPte& pte);

}  // namespace xnuscope
