#include "kernel/DtbResolver.h"

#include <algorithm>
#include <vector>

#include "core/Hex.h"
#include "kernel/KernelPageTableFinder.h"
#include "mmu/X86_64Translator.h"

namespace xnuscope {
namespace {

// How far past the kernel image the boot path allocates its page tables; the
// PML4 scan looks there before it scans all of RAM.
constexpr std::uint64_t kPageTableVicinity = 64ull << 20;

bool isKernelVa(std::uint64_t va) { return va >= kKernelStaticMapBase; }

}  // namespace

void DtbResolver::resolve(KernelInfo& info, const SymbolLookup& symbolVa,
                          std::optional<std::uint64_t> given, const FactSink& addFact) const {
  const KernelPageTableFinder finder(scanner_);
  if (given) {
    info.dtb = *given & X86_64Translator::kCr3AddressMask;
    info.dtbSource = "--dtb";
  } else if (const auto idle = symbolVa("_IdlePML4")) {
    const auto boot = symbolVa("_BootPML4");
    const std::uint64_t bootPa = boot && isKernelVa(*boot) ? *boot - kKernelStaticMapBase : 0;
    if (const auto read = finder.readIdlePml4(*idle, bootPa)) {
      info.dtb = read->dtb;
      info.dtbSource = read->how;
    }
  }
  if (info.dtb == 0 || !finder.mapsTo(info.dtb, info.kernelBaseVa, info.kernelBasePa)) {
    std::vector<PhysRange> dataRanges;
    std::uint64_t imageEnd = info.kernelBasePa;
    std::uint64_t bootPml4Pa = UINT64_MAX;
    for (const auto& segment : info.segments) {
      imageEnd = std::max(imageEnd, segment.pa + segment.size);
      if (segment.name.rfind("__DATA", 0) == 0)
        dataRanges.push_back(PhysRange{segment.pa, segment.size});
      if (segment.name == "__HIB") bootPml4Pa = segment.pa;  // _BootPML4 opens __HIB
    }
    if (const auto boot = symbolVa("_BootPML4"); boot && isKernelVa(*boot)) {
      bootPml4Pa = *boot - kKernelStaticMapBase;
    }
    // CR3 values recorded with the image first, then page addresses stored in the
    // kernel's data, then the pages just above the kernel image (where the boot
    // path allocates), then all of RAM — stopping as soon as a candidate is one
    // the kernel's own data points to.
    std::vector<std::uint64_t> pages;
    for (const auto& cpu : memory_.cpus()) {
      if (!cpu.cr3) continue;
      const std::uint64_t cr3 = *cpu.cr3 & X86_64Translator::kCr3AddressMask;
      if (finder.mapsTo(cr3, info.kernelBaseVa, info.kernelBasePa)) pages.push_back(cr3);
    }
    auto rankPages = [&] {
      std::sort(pages.begin(), pages.end());
      pages.erase(std::unique(pages.begin(), pages.end()), pages.end());
      std::erase(pages, bootPml4Pa);
      return finder.rank(pages, dataRanges);
    };
    auto candidates = rankPages();
    if (candidates.empty() || !candidates.front().referencedByKernelData) {
      const auto named =
          finder.referencedByKernelData(dataRanges, info.kernelBaseVa, info.kernelBasePa);
      pages.insert(pages.end(), named.begin(), named.end());
      candidates = rankPages();
    }
    if (candidates.empty() || !candidates.front().referencedByKernelData) {
      const auto near = finder.scan(info.kernelBasePa, imageEnd + kPageTableVicinity,
                                    info.kernelBaseVa, info.kernelBasePa);
      pages.insert(pages.end(), near.begin(), near.end());
      candidates = rankPages();
    }
    if (candidates.empty() || !candidates.front().referencedByKernelData) {
      const auto all = finder.scan(0, UINT64_MAX, info.kernelBaseVa, info.kernelBasePa);
      pages.insert(pages.end(), all.begin(), all.end());
      candidates = rankPages();
    }
    if (!candidates.empty()) {
      if (info.dtb != 0) {
        info.warnings.push_back(info.dtbSource + " gave " + hex(info.dtb) +
                                ", which does not map the kernel; using the PML4 scan");
      }
      info.dtb = candidates.front().pa;
      info.dtbSource =
          "PML4 scan (" + std::to_string(candidates.size()) + " candidate" +
          (candidates.size() == 1 ? "" : "s") +
          (candidates.front().referencedByKernelData ? ", referenced by kernel data" : "") + ")";
    }
  }
  if (info.dtb != 0) {
    const bool maps = finder.mapsTo(info.dtb, info.kernelBaseVa, info.kernelBasePa);
    addFact("DTB maps kernel back to header PA", maps,
            "DTB " + hex(info.dtb) + " (" + info.dtbSource + ") maps " + hex(info.kernelBaseVa) +
                (maps ? " to " : " not to ") + hex(info.kernelBasePa));
    if (!maps) info.dtb = 0;
  } else {
    addFact("DTB maps kernel back to header PA", false,
            "no page table maps " + hex(info.kernelBaseVa) + " to " + hex(info.kernelBasePa));
  }
}

void DtbResolver::checkRecordedCr3(const KernelInfo& info, const FactSink& addFact) const {
  const KernelPageTableFinder finder(scanner_);
  const auto cpus = memory_.cpus();
  for (const auto& cpu : cpus) {
    if (!cpu.cr3) continue;
    const std::uint64_t cr3 = *cpu.cr3 & X86_64Translator::kCr3AddressMask;
    const bool maps = finder.mapsTo(cr3, info.kernelBaseVa, info.kernelBasePa);
    addFact("CR3 from ELF notes", maps,
            "cpu" + std::to_string(cpu.index) + " CR3 " + hex(*cpu.cr3) +
                (maps ? (cr3 == info.dtb ? " equals the DTB and maps the kernel"
                                         : " maps the kernel (an address space sharing its half)")
                      : " does not map the kernel at its header PA"));
    break;  // every CPU shares the kernel half; one proves as much as all
  }
}

}  // namespace xnuscope
