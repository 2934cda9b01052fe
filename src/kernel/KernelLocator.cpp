#include "kernel/KernelLocator.h"

#include <algorithm>
#include <cstring>

#include "core/DarwinBanner.h"
#include "core/Error.h"
#include "core/Hex.h"
#include "core/LittleEndian.h"
#include "kernel/BannerFacts.h"
#include "kernel/BuildIdentification.h"
#include "kernel/CollectionSegmentAnchors.h"
#include "kernel/DtbResolver.h"
#include "kernel/KernelPageTableFinder.h"
#include "kernel/LowGlobalsFacts.h"
#include "mmu/X86_64Translator.h"
#include "physmem/ByteSize.h"

namespace xnuscope {
namespace {

constexpr std::uint64_t kTwoMiB = 2ull << 20;
// The boot loader slides a 10.x kernel by at most 255 × 2 MiB from its linked
// PA 0x200000 (and a kernel collection starts there too): every kernel header
// lies below 1 GiB, whatever the RAM size.
constexpr std::uint64_t kKaslrWindowEnd = 1ull << 30;
constexpr std::size_t kMaxHeaderCandidates = 64;
constexpr std::size_t kMaxDecoysReported = 64;
constexpr const char* kCollectionAssumptionWarning =
    "kernel collection: unslid segment addresses assumed to follow __TEXT";

bool isKernelVa(std::uint64_t va) { return va >= kKernelStaticMapBase; }

}  // namespace

KernelLocator::KernelLocator(const PhysicalMemory& memory, KernelLocatorOptions options)
    : memory_(memory),
      options_(std::move(options)),
      scanner_(memory),
      lowGlobals_(scanner_, options_.progress) {}

// ---- reading kernel memory -------------------------------------------------

std::optional<std::uint64_t> KernelLocator::kernelVaToPa(const KernelInfo& info,
                                                         std::uint64_t va) const {
  // The proven page table is authoritative; the static mapping (VA − base) is
  // what the kernel image itself relies on and serves before a DTB is known.
  if (info.dtb != 0) {
    const X86_64Translator translator(memory_, info.dtb);
    if (const auto translation = translator.translateUncached(va)) return translation->pa;
  }
  if (isKernelVa(va)) return va - kKernelStaticMapBase;
  return std::nullopt;
}

std::size_t KernelLocator::readKernel(const KernelInfo& info, std::uint64_t va,
                                      std::span<std::uint8_t> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    const auto pa = kernelVaToPa(info, va + done);
    if (!pa) break;
    const std::size_t chunk =
        std::min<std::size_t>(out.size() - done, 4096 - ((va + done) & 0xfff));
    const std::size_t got = scanner_.read(*pa, out.subspan(done, chunk));
    done += got;
    if (got < chunk) break;
  }
  return done;
}

std::optional<std::string> KernelLocator::readKernelString(const KernelInfo& info, std::uint64_t va,
                                                           std::size_t max) const {
  std::vector<std::uint8_t> bytes(max);
  const std::size_t got = readKernel(info, va, bytes);
  const auto nul = std::find(bytes.begin(), bytes.begin() + got, 0);
  if (nul == bytes.begin() + got) return std::nullopt;  // no terminator in reach
  return std::string(bytes.begin(), nul);
}

KernelMemoryView KernelLocator::memoryView(const KernelInfo& info) const {
  return KernelMemoryView{
      [this, &info](std::uint64_t va, std::span<std::uint8_t> out) {
        return readKernel(info, va, out);
      },
      [this, &info](std::uint64_t va, std::size_t max) { return readKernelString(info, va, max); },
      [this, &info](std::uint64_t va) { return kernelVaToPa(info, va); }};
}

// ---- candidates ----------------------------------------------------------

std::optional<KernelLocator::Candidate> KernelLocator::candidateAt(std::uint64_t pa,
                                                                   std::string* whyNot) {
  auto parseAt = [&](std::uint64_t at) -> std::optional<KernelMachO> {
    std::uint8_t first[32];
    if (scanner_.read(at, first) != sizeof first) {
      if (whyNot) *whyNot = "header at " + hex(at) + " is not readable";
      return std::nullopt;
    }
    const auto extent = kernelHeaderExtent(first);
    if (!extent) {
      if (whyNot) *whyNot = "no kernel Mach-O header at " + hex(at);
      return std::nullopt;
    }
    std::vector<std::uint8_t> bytes(*extent);
    const std::size_t got = scanner_.read(at, bytes);
    return parseKernelMachO(std::span<const std::uint8_t>(bytes.data(), got), whyNot);
  };
  auto image = parseAt(pa);
  if (!image) return std::nullopt;
  if (image->fileType == kMachOExecute) return Candidate{pa, std::move(*image), 0};

  // Kernel collection: the kernel is the "com.apple.kernel" entry. Its header
  // sits at the entry's file offset from the fileset header (the collection is
  // loaded contiguously) or, equivalently, at its VA through the static mapping.
  const FilesetEntry* entry = image->filesetEntry("com.apple.kernel");
  if (!entry) {
    if (whyNot) *whyNot = "kernel collection at " + hex(pa) + " has no com.apple.kernel entry";
    return std::nullopt;
  }
  std::vector<std::uint64_t> places{pa + entry->fileoff};
  if (isKernelVa(entry->vmaddr)) places.push_back(entry->vmaddr - kKernelStaticMapBase);
  for (const std::uint64_t at : places) {
    auto kernel = parseAt(at);
    if (kernel && kernel->fileType == kMachOExecute) return Candidate{at, std::move(*kernel), pa};
  }
  if (whyNot) *whyNot = "kernel collection at " + hex(pa) + ": com.apple.kernel header not found";
  return std::nullopt;
}

void KernelLocator::findHeaderCandidates(std::uint64_t from, std::uint64_t to, std::uint64_t stride,
                                         const std::function<bool(Candidate)>& onCandidate) {
  scanner_.forEachStride(
      from, to, stride, 0, 32,
      [&](std::uint64_t pa, std::span<const std::uint8_t> probe) {
        if (!looksLikeKernelHeader(probe)) return true;
        auto candidate = candidateAt(pa, nullptr);
        if (!candidate) return true;
        openingCollection(*candidate);
        return onCandidate(std::move(*candidate));
      },
      options_.progress);
}

void KernelLocator::openingCollection(Candidate& candidate) {
  // A kernel whose header already holds runtime addresses may be the embedded
  // MH_EXECUTE of a kernel collection (its __TEXT keeps 2 MiB alignment). The
  // MH_FILESET header opens the collection, below the kernel's lowest segment.
  const MachOSegment* text = candidate.image.segment("__TEXT");
  if (candidate.filesetPa != 0 || !text ||
      text->vmaddr != candidate.headerPa + kKernelStaticMapBase) {
    return;
  }
  std::uint64_t lowest = candidate.headerPa;
  for (const auto& segment : candidate.image.segments) {
    if (isKernelVa(segment.vmaddr) && segment.vmsize != 0) {
      lowest = std::min(lowest, segment.vmaddr - kKernelStaticMapBase);
    }
  }
  const std::uint64_t searchFrom = lowest > kTwoMiB ? (lowest - kTwoMiB) & ~0xfffull : 0;
  scanner_.forEachStride(searchFrom, candidate.headerPa, 4096, 0, 32,
                         [&](std::uint64_t pa, std::span<const std::uint8_t> probe) {
                           if (!looksLikeKernelHeader(probe) || probe.size() < 16) return true;
                           if (loadLittleEndianOr<std::uint32_t>(probe, 12) != kMachOFileset) {
                             return true;
                           }
                           auto kc = candidateAt(pa, nullptr);
                           if (kc && kc->headerPa == candidate.headerPa) {
                             candidate = std::move(*kc);
                             return false;
                           }
                           return true;
                         });
}

// ---- hypotheses ----------------------------------------------------------

KernelLocator::Hypothesis KernelLocator::fromHeader(const Candidate& candidate) {
  Hypothesis hypothesis;
  KernelInfo& info = hypothesis.info;
  const MachOSegment* text = candidate.image.segment("__TEXT");
  info.kernelBasePa = candidate.headerPa;
  info.kernelBaseVa = candidate.headerPa + kKernelStaticMapBase;
  info.isKernelCollection = candidate.filesetPa != 0;
  info.uuid = candidate.image.uuidString();
  if (!text || !isKernelVa(text->vmaddr)) {
    hypothesis.rejectedBecause = "its __TEXT segment is not in the kernel address range";
    return hypothesis;
  }
  std::uint64_t unslidBase = kUnslidKernelHeaderVa;
  if (options_.unslidSymbols) {
    const auto it = options_.unslidSymbols->find("__mh_execute_header");
    if (it != options_.unslidSymbols->end()) unslidBase = it->second;
  }
  if (options_.unslidSegments) {
    const auto it = options_.unslidSegments->find("__TEXT");
    if (it != options_.unslidSegments->end()) unslidBase = it->second;
  }
  // 10.x headers keep the linked (unslid) vmaddrs; a header rewritten in place,
  // and every kernel-collection header, carries the runtime ones instead.
  const bool headerHoldsRuntime = text->vmaddr == info.kernelBaseVa || info.isKernelCollection;
  if (headerHoldsRuntime) {
    info.kernelBaseVa = text->vmaddr;
    if (info.isKernelCollection) {
      // KC: the header's place in memory is where the static mapping puts it.
      info.kernelBasePa = candidate.headerPa;
    }
    info.kaslrSlide = text->vmaddr - unslidBase;
    if (text->vmaddr < unslidBase) {
      hypothesis.rejectedBecause = "__TEXT at " + hex(text->vmaddr) + " lies below the unslid base";
      return hypothesis;
    }
  } else {
    if (info.kernelBaseVa < text->vmaddr) {
      hypothesis.rejectedBecause = "it sits below its own linked address " + hex(text->vmaddr);
      return hypothesis;
    }
    info.kaslrSlide = info.kernelBaseVa - text->vmaddr;
  }
  if (!info.isKernelCollection && info.kaslrSlide % kTwoMiB != 0) {
    hypothesis.rejectedBecause =
        "its slide " + hex(info.kaslrSlide) + " is not a multiple of 2 MiB";
    return hypothesis;
  }
  for (const auto& segment : candidate.image.segments) {
    if (segment.vmsize == 0 || !isKernelVa(segment.vmaddr)) continue;
    KernelSegment mapped;
    mapped.name = segment.name;
    mapped.size = segment.vmsize;
    if (headerHoldsRuntime) {
      mapped.runtimeStart = segment.vmaddr;
      mapped.unslidStart = segment.vmaddr - info.kaslrSlide;
      if (options_.unslidSegments) {
        const auto it = options_.unslidSegments->find(segment.name);
        if (it != options_.unslidSegments->end()) mapped.unslidStart = it->second;
      }
    } else {
      mapped.unslidStart = segment.vmaddr;
      mapped.runtimeStart = segment.vmaddr + info.kaslrSlide;
    }
    mapped.pa = mapped.runtimeStart - kKernelStaticMapBase;
    info.segments.push_back(std::move(mapped));
  }
  if (info.isKernelCollection && !options_.unslidSegments) {
    info.warnings.push_back(std::string(kCollectionAssumptionWarning) +
                            "; give the kernel file (--kernel) for the exact per-segment "
                            "relocation");
  }
  info.facts.push_back(KernelFact{
      "mach-o header at slid base", true,
      std::string(info.isKernelCollection ? "MH_FILESET at " + hex(candidate.filesetPa) +
                                                ", com.apple.kernel MH_EXECUTE"
                                          : "MH_EXECUTE") +
          " at PA " + hex(candidate.headerPa) + ", __TEXT " + hex(text->vmaddr) +
          (headerHoldsRuntime ? " (runtime)" : " (unslid)") + " → VA " + hex(info.kernelBaseVa)});

  // Symbols: the caller's, else the kernel's own table if __LINKEDIT is resident.
  if (options_.unslidSymbols) {
    hypothesis.symbols = KernelSymbolTable(*options_.unslidSymbols);
  } else if (const MachOSegment* linkedit = candidate.image.segment("__LINKEDIT")) {
    const std::uint64_t linkeditSlide = info.slideSymbol(linkedit->vmaddr) - linkedit->vmaddr;
    const std::uint64_t slide = headerHoldsRuntime ? 0 : linkeditSlide;
    auto resident = KernelSymbolTable::readResident(
        candidate.image, slide,
        [&](std::uint64_t va, std::span<std::uint8_t> out) { return readKernel(info, va, out); });
    if (resident) {
      // The table normally holds linked addresses; if it was slid in place, the
      // header symbol gives the shift away.
      if (const auto header = resident->find("__mh_execute_header");
          header && *header == info.kernelBaseVa && info.kaslrSlide != 0) {
        resident->unslide(info.kaslrSlide);
      }
      hypothesis.symbols = std::move(*resident);
    }
  }
  return hypothesis;
}

KernelLocator::Hypothesis KernelLocator::fromLowGlobals(const LowGlobals& lowGlobals) {
  Hypothesis hypothesis;
  KernelInfo& info = hypothesis.info;
  std::uint64_t unslidBase = kUnslidKernelHeaderVa;
  if (options_.unslidSymbols) {
    const auto it = options_.unslidSymbols->find("__mh_execute_header");
    if (it != options_.unslidSymbols->end()) unslidBase = it->second;
  }
  if (!isKernelVa(lowGlobals.textStart) || lowGlobals.textStart < unslidBase ||
      (lowGlobals.textStart - unslidBase) % kTwoMiB != 0) {
    hypothesis.rejectedBecause =
        "lgStext " + hex(lowGlobals.textStart) + " is not a slid kernel base";
    return hypothesis;
  }
  info.kernelBaseVa = lowGlobals.textStart;
  info.kernelBasePa = lowGlobals.textStart - kKernelStaticMapBase;
  info.kaslrSlide = lowGlobals.textStart - unslidBase;
  info.facts.push_back(KernelFact{"mach-o header at slid base", false,
                                  "no kernel Mach-O header at PA " + hex(info.kernelBasePa)});
  if (options_.unslidSymbols) hypothesis.symbols = KernelSymbolTable(*options_.unslidSymbols);
  return hypothesis;
}

// ---- proof ---------------------------------------------------------------

void KernelLocator::prove(Hypothesis& hypothesis, std::optional<LowGlobals> anchor,
                          bool mayDeferDtb) {
  KernelInfo& info = hypothesis.info;
  const KernelSymbolTable& symbols = hypothesis.symbols;
  const SymbolLookup symbolVa = [&](const char* name) -> std::optional<std::uint64_t> {
    const auto unslid = symbols.find(name);
    if (!unslid) return std::nullopt;
    return info.slideSymbol(*unslid);
  };
  const FactSink addFact = [&](std::string name, bool agreed, std::string detail) {
    if (!agreed) ++hypothesis.disagreed;
    info.facts.push_back(KernelFact{std::move(name), agreed, std::move(detail)});
  };
  const KernelMemoryView kernel = memoryView(info);

  // lowGlo: the anchor, else the kernel's own page (kernel/LowGlobalsFacts.h).
  const std::optional<LowGlobals> lowGlobals =
      anchor ? anchor : lowGlobals_.forKernel(info, symbolVa, kernel);
  checkLowGlobals(info, lowGlobals, anchor.has_value(), symbolVa, kernel, addFact);

  // Banner and version ints at their symbols (kernel/BannerFacts.h).
  const std::optional<DarwinBanner> banner = checkBanner(info, symbolVa, kernel, addFact);

  // DTB: given, from _IdlePML4 through _BootPML4, or by scanning for a PML4; then
  // the facts it proves (kernel/DtbResolver.h).
  const DtbResolver dtbResolver(memory_, scanner_);
  if (mayDeferDtb && hypothesis.disagreed == 0 && info.agreedFactCount() >= 2) {
    info.dtbDeferred = true;
    info.dtbSource =
        "not searched: the other facts prove the kernel (a pass with symbols reads it)";
  } else {
    dtbResolver.resolve(info, symbolVa, options_.dtb, addFact);
  }

  // Kernel collection with a profile but no kernel file: place each segment by the
  // profile symbols it holds (CollectionSegmentAnchors.h).
  if (info.isKernelCollection && options_.unslidSymbols && !options_.unslidSegments) {
    placeCollectionSegments(info);
  }

  // CR3 recorded with the image (QEMU ELF notes, QMP).
  dtbResolver.checkRecordedCr3(info, addFact);

  // Build: _osversion, else lowGlo's lgOSVersion, else the xnu version
  // (kernel/BuildIdentification.h).
  std::optional<std::uint64_t> lowGlobalsPa;
  if (lowGlobals) lowGlobalsPa = lowGlobals->pa;
  info.build = identifyBuild(kernel, symbolVa("_osversion"), lowGlobalsPa, scanner_,
                             banner ? banner->xnuBuildTag : std::string());
  info.lowGlobalsPa = lowGlobals ? lowGlobals->pa : 0;
}

void KernelLocator::placeCollectionSegments(KernelInfo& info) const {
  const CollectionSegmentResult result =
      CollectionSegmentAnchors(memory_, scanner_, *options_.unslidSymbols).apply(info);
  std::erase_if(info.warnings, [](const std::string& warning) {
    return warning.rfind(kCollectionAssumptionWarning, 0) == 0;
  });
  if (!result.placed.empty()) {
    std::string detail;
    for (const auto& anchor : result.placed) {
      if (!detail.empty()) detail += "; ";
      detail += anchor.segment + " linked at " + hex(anchor.unslidStart) + " (";
      for (std::size_t i = 0; i < anchor.symbols.size(); ++i) {
        detail += (i ? ", " : "") + anchor.symbols[i];
      }
      detail += ")";
    }
    info.facts.push_back(
        KernelFact{"kernel collection segments placed by profile symbols", true, detail});
  }
  std::vector<std::string> left = result.unplaced;
  left.insert(left.end(), result.ambiguous.begin(), result.ambiguous.end());
  std::erase(left, "__LINKEDIT");  // holds no symbol a walker reads
  if (!left.empty()) {
    std::string names;
    for (const auto& name : left) names += (names.empty() ? "" : ", ") + name;
    info.warnings.push_back(std::string(kCollectionAssumptionWarning) + " for " + names +
                            " (no profile symbol placed them); give the kernel file (--kernel) "
                            "for the exact per-segment relocation");
  }
}

void KernelLocator::addDecoys(KernelInfo& info, const std::vector<Candidate>& headers,
                              std::uint64_t bannerPa) {
  for (const auto& header : headers) {
    if (header.headerPa == info.kernelBasePa) continue;
    if (info.decoys.size() >= kMaxDecoysReported) break;
    info.decoys.push_back(KernelDecoy{"mach-o header", header.headerPa,
                                      "kernel Mach-O header not proven as the running kernel"});
  }
  using DecoyScan = KernelLocatorOptions::DecoyScan;
  if (options_.decoyScan == DecoyScan::Never) {
    info.decoyScan = "skipped (not part of this command)";
    return;
  }
  if (options_.decoyScan == DecoyScan::Auto &&
      memory_.backedBytes() > options_.decoyScanLimitBytes) {
    info.decoyScan = "skipped: the image holds " + humanByteSize(memory_.backedBytes()) +
                     ", more than the " + humanByteSize(options_.decoyScanLimitBytes) +
                     " searched by default (--decoys searches all of it)";
    return;
  }
  info.decoysSearched = true;
  info.decoyScan = "searched " + humanByteSize(memory_.backedBytes());
  for (const std::uint64_t pa :
       scanner_.findAll(kBannerPrefix, kMaxDecoysReported, options_.progress)) {
    if (pa == bannerPa || info.decoys.size() >= kMaxDecoysReported) continue;
    std::string text(kMaxBannerLength, '\0');
    const std::size_t got = scanner_.read(
        pa, std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(text.data()), text.size()));
    text.resize(strnlen(text.data(), got));
    info.decoys.push_back(KernelDecoy{
        "banner", pa,
        text == info.banner ? "a copy of the kernel banner, not the one lgVersion/_version names"
                            : "\"" + text.substr(0, 60) + "\" — not the running kernel's banner"});
  }
}

// ---- entry point -----------------------------------------------------------

KernelInfo KernelLocator::locate() {
  std::vector<Candidate> headers;
  std::optional<Hypothesis> best;
  std::vector<std::string> rejected;
  auto consider = [&](Hypothesis hypothesis) {
    const std::size_t agreed = hypothesis.info.agreedFactCount();
    if (agreed < 2) {
      std::string why =
          hex(hypothesis.info.kernelBasePa) + ": only " + std::to_string(agreed) + " agreeing fact";
      for (const auto& fact : hypothesis.info.facts) {
        if (!fact.agreed) why += "; " + fact.name + ": " + fact.detail;
      }
      rejected.push_back(why);
      return;
    }
    if (!best || agreed > best->info.agreedFactCount() ||
        (agreed == best->info.agreedFactCount() && hypothesis.disagreed < best->disagreed)) {
      best = std::move(hypothesis);
    }
  };
  // Where the kernel can be first: a 10.x kernel header sits at PA 0x200000 + slide
  // with a 2 MiB-aligned slide below kKaslrWindowEnd, so one 32-byte probe per
  // 2 MiB of that window finds it whatever the RAM size. Only when no candidate
  // there is proven without a disagreeing fact does the search widen: the rest of
  // RAM at 2 MiB steps, then (kernel collections and odd loaders place the header
  // on any page) every page.
  struct Stage {
    std::uint64_t from, to, stride;
  };
  const Stage stages[] = {
      {0, kKaslrWindowEnd, kTwoMiB}, {kKaslrWindowEnd, UINT64_MAX, kTwoMiB}, {0, UINT64_MAX, 4096}};
  // Proves one header; false once the search may stop: the proof is complete and
  // no decoy search wants the rest of the KASLR window (it costs the same whatever
  // the RAM size, and `info` names a header copy there as a decoy).
  const bool reportDecoys = options_.decoyScan != KernelLocatorOptions::DecoyScan::Never;
  auto tryHeader = [&](Candidate header) {
    const bool seen = std::any_of(headers.begin(), headers.end(), [&](const Candidate& c) {
      return c.headerPa == header.headerPa;
    });
    if (!seen) {
      headers.push_back(header);
      Hypothesis hypothesis = fromHeader(header);
      if (!hypothesis.rejectedBecause.empty()) {
        rejected.push_back("header at " + hex(header.headerPa) + ": " + hypothesis.rejectedBecause);
      } else {
        // Deferring the DTB is safe only for a hypothesis nothing competes with:
        // the search stops at it (no decoy search) and none was considered before.
        const bool mayDeferDtb = options_.deferDtb && !options_.dtb && !reportDecoys && !best;
        prove(hypothesis, std::nullopt, mayDeferDtb);
        consider(std::move(hypothesis));
      }
    }
    if (headers.size() >= kMaxHeaderCandidates) return false;
    return reportDecoys || !best || best->disagreed != 0;
  };
  // Headers an earlier pass found: no probing at all when one of them is proven.
  if (options_.knownHeaders) {
    for (const std::uint64_t pa : *options_.knownHeaders) {
      auto candidate = candidateAt(pa, nullptr);
      if (!candidate) continue;
      openingCollection(*candidate);
      if (!tryHeader(std::move(*candidate))) break;
    }
  }
  for (const Stage& stage : stages) {
    if (best && best->disagreed == 0) break;  // the proof is complete
    if (stage.stride == 4096 && !headers.empty()) break;
    if (headers.size() >= kMaxHeaderCandidates) break;
    findHeaderCandidates(stage.from, stage.to, stage.stride, tryHeader);
  }
  for (const auto& header : headers) {
    headerCandidates_.push_back(header.filesetPa != 0 ? header.filesetPa : header.headerPa);
  }
  if (!best) {
    // No provable header (zeroed, truncated away): anchor on lowGlo instead.
    for (const auto& lowGlobals : lowGlobals_.all()) {
      Hypothesis hypothesis = fromLowGlobals(lowGlobals);
      if (!hypothesis.rejectedBecause.empty()) {
        rejected.push_back("lowGlo at " + hex(lowGlobals.pa) + ": " + hypothesis.rejectedBecause);
        continue;
      }
      prove(hypothesis, lowGlobals);
      consider(std::move(hypothesis));
    }
  }
  if (!best) {
    std::string message = "no XNU kernel found in " + memory_.describe() + ": scanned " +
                          std::to_string(headers.size()) +
                          " kernel Mach-O header candidate(s) and " +
                          std::to_string(lowGlobals_.all().size()) + " lowGlo page(s)";
    for (std::size_t i = 0; i < rejected.size() && i < 3; ++i) message += "; " + rejected[i];
    message += ". Is this an x86_64 macOS guest image? Try --profile with the guest's build.";
    throw AnalysisError(message);
  }
  KernelInfo info = std::move(best->info);
  symbols_ = std::move(best->symbols);
  std::uint64_t bannerPa = 0;
  if (info.lowGlobalsPa != 0) {
    if (const auto lg = lowGlobals_.at(info.lowGlobalsPa)) {
      bannerPa = kernelVaToPa(info, lg->versionVa).value_or(0);
    }
  }
  if (bannerPa == 0) {
    if (const auto version = symbols_.find("_version")) {
      bannerPa = kernelVaToPa(info, info.slideSymbol(*version)).value_or(0);
    }
  }
  addDecoys(info, headers, bannerPa);
  info.bytesTouched = scanner_.bytesTouched();
  return info;
}

}  // namespace xnuscope
