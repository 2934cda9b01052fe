// Finds the XNU kernel in guest physical memory without a profile, undoes KASLR,
// finds the kernel page table, and proves the answer with independent facts:
// the Mach-O header at the slid base, lowGlo's lgStext and lgVersion, the banner
// and version ints at their symbols, the DTB mapping the kernel back onto itself,
// and CR3 values recorded with the image. A candidate is accepted only when at
// least two facts agree, so a banner or header copy elsewhere in RAM cannot win.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/Progress.h"
#include "kernel/KernelFacts.h"
#include "kernel/KernelInfo.h"
#include "kernel/KernelMachO.h"
#include "kernel/KernelSymbolTable.h"
#include "kernel/LowGlobals.h"
#include "kernel/LowGlobalsSearch.h"
#include "kernel/PhysicalScanner.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope {

struct KernelLocatorOptions {
  // Unslid symbols from a profile or kernel file (Mach-O names: "_IdlePML4").
  // Optional: without them the kernel's resident symbol table is used if present.
  const std::map<std::string, std::uint64_t>* unslidSymbols = nullptr;
  // Unslid segment starts (name → vmaddr) from the kernel file, for kernel
  // collections whose in-memory header carries only runtime addresses.
  const std::map<std::string, std::uint64_t>* unslidSegments = nullptr;
  // --dtb: use this page table root instead of discovering it (still checked).
  std::optional<std::uint64_t> dtb;
  // Search all of RAM for banner copies, to report decoys. Auto: only when it is
  // cheap, i.e. the image holds at most `decoyScanLimitBytes` (`info --decoys`
  // asks for Always). KernelInfo::decoyScan says whether it ran.
  enum class DecoyScan { Auto, Always, Never } decoyScan = DecoyScan::Auto;
  std::uint64_t decoyScanLimitBytes = 1ull << 30;
  // Kernel header PAs an earlier locate() over the same memory found
  // (KernelLocator::headerCandidates()): they are tried first, and the header search
  // runs only if none of them is proven without a disagreeing fact. A second pass
  // with a profile's symbols so does not probe RAM again.
  const std::vector<std::uint64_t>* knownHeaders = nullptr;
  // Leave the DTB unresolved (KernelInfo::dtbDeferred) when the other facts prove
  // the kernel: at least two agree, none disagrees, no other hypothesis competes,
  // and the search stops there (decoyScan Never). Without symbols the DTB is a
  // search through the kernel's data; a caller that locates again with a profile's
  // symbols gets it from _IdlePML4 then. Ignored when `dtb` is given.
  bool deferDtb = false;
  ProgressFn progress;
};

class KernelLocator {
 public:
  // `memory` must outlive the locator.
  explicit KernelLocator(const PhysicalMemory& memory, KernelLocatorOptions options = {});

  // Throws AnalysisError (with what was tried) when no candidate is proven.
  KernelInfo locate();

  // The unslid symbols the proof used: the caller's, or the resident table of the
  // accepted kernel (empty when neither exists). Valid after locate().
  const KernelSymbolTable& symbols() const { return symbols_; }
  // Every kernel header the search found (proven or not), for
  // KernelLocatorOptions::knownHeaders of a later pass. Valid after locate().
  const std::vector<std::uint64_t>& headerCandidates() const { return headerCandidates_; }

 private:
  struct Candidate {
    std::uint64_t headerPa = 0;  // where the kernel's (not the fileset's) header is
    KernelMachO image;
    std::uint64_t filesetPa = 0;  // MH_FILESET header, 0 when none
  };
  struct Hypothesis {
    KernelInfo info;
    KernelSymbolTable symbols;
    std::string rejectedBecause;  // set when the candidate is unusable outright
    std::size_t disagreed = 0;
  };

  // Kernel headers probed every `stride` bytes of [from, to), in address order,
  // each handed to `onCandidate` until it returns false.
  void findHeaderCandidates(std::uint64_t from, std::uint64_t to, std::uint64_t stride,
                            const std::function<bool(Candidate)>& onCandidate);
  // A runtime-address kernel header may open a kernel collection's kernel: then
  // `candidate` becomes the collection (its MH_FILESET header just below).
  void openingCollection(Candidate& candidate);
  std::optional<Candidate> candidateAt(std::uint64_t pa, std::string* whyNot);

  Hypothesis fromHeader(const Candidate& candidate);
  Hypothesis fromLowGlobals(const LowGlobals& lowGlobals);
  // Gathers the facts (lowGlo, banner, version ints), resolves and proves the DTB,
  // then names the build. `anchorLowGlobals`: the page the hypothesis came from.
  void prove(Hypothesis& hypothesis, std::optional<LowGlobals> anchorLowGlobals,
             bool mayDeferDtb = false);
  // Kernel collection + profile symbols, no kernel file: per-segment linked starts.
  void placeCollectionSegments(KernelInfo& info) const;
  void addDecoys(KernelInfo& info, const std::vector<Candidate>& headers, std::uint64_t bannerPa);

  std::size_t readKernel(const KernelInfo& info, std::uint64_t va,
                         std::span<std::uint8_t> out) const;
  std::optional<std::string> readKernelString(const KernelInfo& info, std::uint64_t va,
                                              std::size_t max) const;
  std::optional<std::uint64_t> kernelVaToPa(const KernelInfo& info, std::uint64_t va) const;
  // The three above as the fact checks take them; `info` must outlive the view.
  KernelMemoryView memoryView(const KernelInfo& info) const;

  const PhysicalMemory& memory_;
  KernelLocatorOptions options_;
  PhysicalScanner scanner_;
  LowGlobalsSearch lowGlobals_;
  KernelSymbolTable symbols_;
  std::vector<std::uint64_t> headerCandidates_;
};

}  // namespace xnuscope
