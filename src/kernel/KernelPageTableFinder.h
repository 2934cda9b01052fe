// Finds the kernel's top-level page table (the DTB, x86_64 PML4) in three
// independent ways: the `_IdlePML4` variable read through `_BootPML4` (when
// symbols are known), a scan for PML4 pages that map the kernel's slid base back
// to the physical page where its Mach-O header sits, and CR3 values recorded with
// the image.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kernel/PhysicalScanner.h"

namespace xnuscope {

struct DtbCandidate {
  std::uint64_t pa = 0;
  bool referencedByKernelData = false;  // a kernel-image pointer holds this PA
  std::size_t userHalfEntries = 0;      // present PML4 entries 0–255
};

class KernelPageTableFinder {
 public:
  explicit KernelPageTableFinder(const PhysicalScanner& scanner) : scanner_(scanner) {}

  // True when `dtb` translates `va` to `pa` (4-level walk, no cache).
  bool mapsTo(std::uint64_t dtb, std::uint64_t va, std::uint64_t pa) const;

  // `_IdlePML4` holds the PML4's physical address in its low 32 bits. Translates
  // its slid VA with `_BootPML4` as the page table (what the boot path itself
  // uses), falling back to the static mapping; nullopt if neither yields a value.
  struct IdlePml4Read {
    std::uint64_t dtb = 0;
    std::string how;
  };
  std::optional<IdlePml4Read> readIdlePml4(std::uint64_t idlePml4Va,
                                           std::uint64_t bootPml4Pa) const;

  // Pages in [start, end) whose PML4 maps `kernelVa` to `kernelPa`, at most
  // `maxCandidates`. Probes 8 bytes per page (the PML4 slot covering the kernel).
  std::vector<std::uint64_t> scan(std::uint64_t start, std::uint64_t end, std::uint64_t kernelVa,
                                  std::uint64_t kernelPa, std::size_t maxCandidates = 1024) const;

  // Page-aligned physical addresses stored in the kernel's data segments
  // (`_IdlePML4` holds the PML4's PA in its low 32 bits) that map `kernelVa` to
  // `kernelPa`. Reads only the data segments: the cheap way to find the kernel
  // PML4 when symbols are unknown and page tables are scattered over RAM.
  std::vector<std::uint64_t> referencedByKernelData(const std::vector<PhysRange>& kernelDataRanges,
                                                    std::uint64_t kernelVa, std::uint64_t kernelPa,
                                                    std::size_t maxCandidates = 64) const;

  // Orders candidate PML4s, best first: those a pointer in `kernelDataRanges` (PA
  // ranges of the kernel's data segments: _IdlePML4, kernel_pmap->pm_cr3) refers
  // to, then those with the fewest user-half entries. Per-process PML4s share the
  // kernel half and map the kernel too; the kernel's own data names only its own.
  std::vector<DtbCandidate> rank(const std::vector<std::uint64_t>& candidates,
                                 const std::vector<PhysRange>& kernelDataRanges) const;

 private:
  const PhysicalScanner& scanner_;
};

}  // namespace xnuscope
