// Writes a virtual address range of one address space (a process' pmap, or the
// kernel's) to a file, byte for byte at file offset = VA − start. Pages that are
// not mapped, or whose physical page the image lacks, are left as zeros in the
// file (written sparse) and reported as holes, so a reader can tell "zero" from
// "absent".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mmu/AddressTranslator.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope {

struct VirtualRange {
  std::uint64_t start = 0;
  std::uint64_t end = 0;  // exclusive
  std::uint64_t size() const { return end - start; }
};

struct MemoryDumpResult {
  std::uint64_t bytesWritten = 0;   // file length = end − start
  std::uint64_t bytesPresent = 0;   // bytes copied from the image
  std::vector<VirtualRange> holes;  // absent ranges (merged, ascending)
};

class ProcessMemoryDumper {
 public:
  // Ranges larger than this are refused: a typo in --end should not fill a disk.
  static constexpr std::uint64_t kMaxDumpBytes = 64ull << 30;

  // Both must outlive the dumper.
  ProcessMemoryDumper(const PhysicalMemory& memory, const AddressTranslator& translator)
      : memory_(memory), translator_(translator) {}

  // Throws InputError for an empty/oversized range or an unwritable file.
  MemoryDumpResult dump(std::uint64_t start, std::uint64_t end, const std::string& path) const;

 private:
  const PhysicalMemory& memory_;
  const AddressTranslator& translator_;
};

}  // namespace xnuscope
