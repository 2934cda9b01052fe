#include "kernel/KernelPageTableFinder.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "kernel/KernelInfo.h"
#include "mmu/X86_64Translator.h"

namespace xnuscope {

bool KernelPageTableFinder::mapsTo(std::uint64_t dtb, std::uint64_t va, std::uint64_t pa) const {
  const X86_64Translator translator(scanner_.memory(), dtb);
  const auto translation = translator.translateUncached(va);
  return translation && translation->pa == pa;
}

std::optional<KernelPageTableFinder::IdlePml4Read> KernelPageTableFinder::readIdlePml4(
    std::uint64_t idlePml4Va, std::uint64_t bootPml4Pa) const {
  std::uint8_t bytes[8];
  auto valueAt = [&](std::uint64_t pa) -> std::optional<std::uint64_t> {
    if (scanner_.read(pa, bytes) != sizeof bytes) return std::nullopt;
    std::uint64_t value;
    std::memcpy(&value, bytes, 8);
    const std::uint64_t dtb = value & 0xfffff000ull;  // ID_MAP_VTOP: low 32 bits
    if (dtb == 0) return std::nullopt;
    return dtb;
  };
  const X86_64Translator boot(scanner_.memory(), bootPml4Pa);
  if (const auto translation = boot.translateUncached(idlePml4Va)) {
    if (const auto dtb = valueAt(translation->pa))
      return IdlePml4Read{*dtb, "_IdlePML4 via _BootPML4"};
  }
  if (idlePml4Va >= kKernelStaticMapBase) {
    if (const auto dtb = valueAt(idlePml4Va - kKernelStaticMapBase)) {
      return IdlePml4Read{*dtb, "_IdlePML4 via the static kernel mapping"};
    }
  }
  return std::nullopt;
}

std::vector<std::uint64_t> KernelPageTableFinder::scan(std::uint64_t start, std::uint64_t end,
                                                       std::uint64_t kernelVa,
                                                       std::uint64_t kernelPa,
                                                       std::size_t maxCandidates) const {
  std::vector<std::uint64_t> candidates;
  const std::uint64_t index = (kernelVa >> 39) & 0x1ff;
  scanner_.forEachStride(start, end, 4096, index * 8, 8,
                         [&](std::uint64_t slotPa, std::span<const std::uint8_t> probe) {
                           if (probe.size() < 8) return true;
                           std::uint64_t entry;
                           std::memcpy(&entry, probe.data(), 8);
                           // Present, not a large page (reserved at this level),
                           // no reserved high bits.
                           if (!(entry & X86_64Translator::kPresent) ||
                               (entry & X86_64Translator::kPageSize) ||
                               (entry & 0x7ff0000000000000ull)) {
                             return true;
                           }
                           const std::uint64_t page = slotPa - index * 8;
                           if (mapsTo(page, kernelVa, kernelPa)) candidates.push_back(page);
                           return candidates.size() < maxCandidates;
                         });
  return candidates;
}

std::vector<std::uint64_t> KernelPageTableFinder::referencedByKernelData(
    const std::vector<PhysRange>& kernelDataRanges, std::uint64_t kernelVa, std::uint64_t kernelPa,
    std::size_t maxCandidates) const {
  std::set<std::uint64_t> tried;
  std::vector<std::uint64_t> found;
  const auto& ranges = scanner_.memory().ranges();
  const std::uint64_t physicalEnd = ranges.empty() ? 0 : ranges.back().end();
  std::uint8_t page[4096];
  for (const PhysRange& range : kernelDataRanges) {
    for (std::uint64_t pa = range.start & ~0xfffull; pa < range.end(); pa += sizeof page) {
      const std::size_t got = scanner_.read(pa, page);
      for (std::size_t at = 0; at + 8 <= got; at += 8) {
        std::uint64_t value;
        std::memcpy(&value, page + at, 8);
        // Either a plain PA or the ID-mapped form whose low 32 bits are the PA.
        const std::uint64_t candidate = (value >> 32) == 0 ? value : (value & 0xffffffffull);
        if (candidate == 0 || (candidate & 0xfff) || candidate >= physicalEnd) continue;
        if (!tried.insert(candidate).second || tried.size() > 65536) continue;
        if (mapsTo(candidate, kernelVa, kernelPa)) {
          found.push_back(candidate);
          if (found.size() >= maxCandidates) return found;
        }
      }
    }
  }
  return found;
}

std::vector<DtbCandidate> KernelPageTableFinder::rank(
    const std::vector<std::uint64_t>& pages, const std::vector<PhysRange>& kernelDataRanges) const {
  std::vector<DtbCandidate> candidates;
  for (const std::uint64_t page : pages) candidates.push_back(DtbCandidate{page, false, 0});
  if (candidates.empty()) return candidates;

  std::set<std::uint64_t> wanted;
  for (const auto& candidate : candidates) wanted.insert(candidate.pa);
  std::set<std::uint64_t> referenced;
  std::uint8_t page[4096];
  for (const PhysRange& range : kernelDataRanges) {
    // Page by page: a hole in the image skips one page, not the rest of the range.
    for (std::uint64_t pa = range.start & ~0xfffull; pa < range.end(); pa += sizeof page) {
      const std::size_t got = scanner_.read(pa, page);
      for (std::size_t at = 0; at + 8 <= got; at += 8) {
        std::uint64_t value;
        std::memcpy(&value, page + at, 8);
        if (value == 0) continue;
        if (wanted.count(value & 0xfffff000ull)) referenced.insert(value & 0xfffff000ull);
        if (wanted.count(value & X86_64Translator::kAddressMask)) {
          referenced.insert(value & X86_64Translator::kAddressMask);
        }
      }
    }
  }
  std::uint8_t table[4096];
  for (auto& candidate : candidates) {
    candidate.referencedByKernelData = referenced.count(candidate.pa) > 0;
    const std::size_t got = scanner_.read(candidate.pa, std::span<std::uint8_t>(table, 2048));
    for (std::size_t at = 0; at + 8 <= got; at += 8) {
      std::uint64_t entry;
      std::memcpy(&entry, table + at, 8);
      if (entry & X86_64Translator::kPresent) ++candidate.userHalfEntries;
    }
  }
  // Kernel-referenced first, then the fewest user mappings, then lowest address.
  std::stable_sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
    if (a.referencedByKernelData != b.referencedByKernelData) return a.referencedByKernelData;
    return a.userHalfEntries < b.userHalfEntries;
  });
  return candidates;
}

}  // namespace xnuscope
