// Kernel collections (macOS 11+) place each kernel segment with its own slide, and
// the in-memory header carries only runtime addresses. A profile (ISF, JSON) gives
// linked symbol addresses but not where each segment was linked. This recovers the
// linked start of every segment other than __TEXT from profile symbols whose
// content is recognisable in memory:
//   strong: _IdlePML4 holds the DTB; _lowGlo starts "Catfish "; _BootPML4 is a
//           PML4 mapping the kernel; _msgbufp points at a msgbuf (magic 0x63061)
//   weak:   _version_major/_version_minor equal the banner's; _kmod points at a
//           kmod_info with a bundle-id name
// Segment placement is page-granular, so a symbol can only sit at runtime VAs
// congruent to its linked address modulo 4 KiB: one probe per page per anchor.
// A segment is assigned the shift with the highest score (strong 2, weak 1) when
// that score is at least 2 and no other shift ties it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kernel/KernelInfo.h"
#include "kernel/PhysicalScanner.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope {

struct CollectionSegmentAnchor {
  std::string segment;
  std::uint64_t unslidStart = 0;
  int score = 0;
  std::vector<std::string> symbols;  // the anchors that agreed
};

struct CollectionSegmentResult {
  std::vector<CollectionSegmentAnchor> placed;
  std::vector<std::string> unplaced;   // segments left on the __TEXT slide
  std::vector<std::string> ambiguous;  // segments with tied shifts
};

class CollectionSegmentAnchors {
 public:
  // `info` must have its segments (runtime starts from the header), banner and DTB.
  CollectionSegmentAnchors(const PhysicalMemory& memory, const PhysicalScanner& scanner,
                           const std::map<std::string, std::uint64_t>& unslidSymbols)
      : memory_(memory), scanner_(scanner), symbols_(unslidSymbols) {}

  // Computes linked starts and rewrites `info.segments[].unslidStart` for the
  // segments it could place.
  CollectionSegmentResult apply(KernelInfo& info) const;

 private:
  int scoreAt(const KernelInfo& info, const std::string& symbol, std::uint64_t runtimeVa) const;
  std::uint64_t readU64(std::uint64_t runtimeVa, bool* ok) const;

  const PhysicalMemory& memory_;
  const PhysicalScanner& scanner_;
  const std::map<std::string, std::uint64_t>& symbols_;
};

}  // namespace xnuscope
