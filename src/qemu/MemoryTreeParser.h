// Parses HMP "info mtree -f" (the flattened memory map) to learn where guest RAM
// is: which guest-physical ranges a RAM block backs and at which offset into the
// block. With a memory-backend-file, that offset is the file offset — on q35 RAM
// above 4 GiB continues at offset `below_4g`, not at 4 GiB.
//
// Line format (QEMU 7.x, memory.c mtree_print_flatview):
//   "  0000000100000000-000000013fffffff (prio 0, ram): mem @0000000080000000"
// start and end inclusive, "@offset" omitted when 0, optional trailing words.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xnuscope {

struct MemoryTreeRange {
  std::uint64_t start = 0;   // first guest-physical address
  std::uint64_t end = 0;     // exclusive
  std::uint64_t offset = 0;  // offset into the memory region `name`
  std::string name;          // memory region, e.g. the backend id "mem", "pc.ram", "pc.bios"
  std::string kind;          // "ram", "rom", "ramd", "romd" ("i/o" ranges are left out)
  std::uint64_t size() const { return end - start; }
};

// The memory-backed ranges of the flat view that serves the "memory" address
// space (falling back to the one rooted at "system"), sorted by start, duplicates
// removed. Throws AnalysisError when the text has no such flat view.
std::vector<MemoryTreeRange> parseMemoryTreeRam(std::string_view text);

// The ranges backed by region `name` (e.g. the memory-backend id). Both RAM and
// ROM kinds count: firmware marks shadowed BIOS areas of RAM read-only.
std::vector<MemoryTreeRange> rangesOfRegion(const std::vector<MemoryTreeRange>& ranges,
                                            std::string_view name);

}  // namespace xnuscope
