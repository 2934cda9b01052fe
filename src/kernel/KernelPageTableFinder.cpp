#include "kernel/KernelPageTableFinder.h"

#include <algorithm>
#include <array>
#include <set>

#include "core/LittleEndian.h"
#include "kernel/KernelInfo.h"
#include "mmu/X86_64Translator.h"

namespace xnuscope {
namespace {

// Calls `visit(word)` for every aligned 64-bit word of the readable pages of
// `ranges`, until it returns false. Page by page: a hole in the image skips one
// page, not the rest of the range.
template <typename Visit>
void forEachDataWord(const PhysicalScanner& scanner, const std::vector<PhysRange>& ranges,
                     Visit&& visit) {
  std::array<std::uint8_t, 4096> page;
  for (const PhysRange& range : ranges) {
    for (std::uint64_t pa = range.start & ~0xfffull; pa < range.end(); pa += page.size()) {
      const std::span<const std::uint8_t> got(page.data(), scanner.read(pa, page));
      for (std::size_t at = 0; at + 8 <= got.size(); at += 8) {
        if (!visit(loadLittleEndianOr<std::uint64_t>(got, at))) return;
      }
    }
  }
}

}  // namespace

bool KernelPageTableFinder::mapsTo(std::uint64_t dtb, std::uint64_t va, std::uint64_t pa) const {
  const X86_64Translator translator(scanner_.memory(), dtb);
  const auto translation = translator.translateUncached(va);
  return translation && translation->pa == pa;
}

std::optional<KernelPageTableFinder::IdlePml4Read> KernelPageTableFinder::readIdlePml4(
    std::uint64_t idlePml4Va, std::uint64_t bootPml4Pa) const {
  std::array<std::uint8_t, 8> bytes;
  auto valueAt = [&](std::uint64_t pa) -> std::optional<std::uint64_t> {
    if (scanner_.read(pa, bytes) != bytes.size()) return std::nullopt;
    const std::uint64_t value = loadLittleEndianOr<std::uint64_t>(bytes, 0);
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
                           const auto entry = loadLittleEndian<std::uint64_t>(probe, 0);
                           if (!entry) return true;
                           // Present, not a large page (reserved at this level),
                           // no reserved high bits.
                           if (!(*entry & X86_64Translator::kPresent) ||
                               (*entry & X86_64Translator::kPageSize) ||
                               (*entry & 0x7ff0000000000000ull)) {
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
  forEachDataWord(scanner_, kernelDataRanges, [&](std::uint64_t value) {
    // Either a plain PA or the ID-mapped form whose low 32 bits are the PA.
    const std::uint64_t candidate = (value >> 32) == 0 ? value : (value & 0xffffffffull);
    if (candidate == 0 || (candidate & 0xfff) || candidate >= physicalEnd) return true;
    if (!tried.insert(candidate).second || tried.size() > 65536) return true;
    if (!mapsTo(candidate, kernelVa, kernelPa)) return true;
    found.push_back(candidate);
    return found.size() < maxCandidates;
  });
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
  forEachDataWord(scanner_, kernelDataRanges, [&](std::uint64_t value) {
    if (value == 0) return true;
    if (wanted.count(value & 0xfffff000ull)) referenced.insert(value & 0xfffff000ull);
    if (wanted.count(value & X86_64Translator::kAddressMask)) {
      referenced.insert(value & X86_64Translator::kAddressMask);
    }
    return true;
  });
  std::array<std::uint8_t, 2048> userHalf;  // PML4 entries 0-255
  for (auto& candidate : candidates) {
    candidate.referencedByKernelData = referenced.count(candidate.pa) > 0;
    const std::span<const std::uint8_t> got(userHalf.data(), scanner_.read(candidate.pa, userHalf));
    for (std::size_t at = 0; at + 8 <= got.size(); at += 8) {
      if (loadLittleEndianOr<std::uint64_t>(got, at) & X86_64Translator::kPresent) {
        ++candidate.userHalfEntries;
      }
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
