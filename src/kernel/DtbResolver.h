// Finds and proves the kernel page-table root (DTB): --dtb, else `_IdlePML4` read
// through `_BootPML4`; when that does not map the kernel back onto its header,
// PML4 candidates from the CR3s recorded with the image, from page addresses in
// the kernel's own data, from the pages just above the image, and only then from
// all of RAM — stopping at the first candidate the kernel's data refers to. Adds
// the fact "DTB maps kernel back to header PA"; checkRecordedCr3 adds "CR3 from
// ELF notes".
#pragma once

#include <cstdint>
#include <optional>

#include "kernel/KernelFacts.h"
#include "kernel/KernelInfo.h"
#include "kernel/PhysicalScanner.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope {

class DtbResolver {
 public:
  DtbResolver(const PhysicalMemory& memory, const PhysicalScanner& scanner)
      : memory_(memory), scanner_(scanner) {}

  // Sets info.dtb (0 when none is proven), info.dtbSource and warnings; needs
  // info's base VA/PA and segments.
  void resolve(KernelInfo& info, const SymbolLookup& symbolVa, std::optional<std::uint64_t> given,
               const FactSink& addFact) const;

  // The first CR3 recorded with the image (QEMU ELF notes, QMP) must map the kernel
  // back onto its header: one fact, none when no CR3 was recorded.
  void checkRecordedCr3(const KernelInfo& info, const FactSink& addFact) const;

 private:
  const PhysicalMemory& memory_;
  const PhysicalScanner& scanner_;
};

}  // namespace xnuscope
