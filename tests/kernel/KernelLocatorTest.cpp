#include <gtest/gtest.h>

#include <algorithm>

#include "core/Error.h"
#include "core/Hex.h"
#include "kernel/KernelLocator.h"
#include "kernel/SyntheticKernel.h"

using namespace xnuscope;
using xnuscope::test::SyntheticKernel;
using xnuscope::test::SyntheticKernelSpec;

namespace {

const KernelFact* findFact(const KernelInfo& info, const std::string& name) {
  for (const auto& fact : info.facts) {
    if (fact.name == name) return &fact;
  }
  return nullptr;
}

bool agreed(const KernelInfo& info, const std::string& name) {
  const KernelFact* fact = findFact(info, name);
  return fact && fact->agreed;
}

void expectLocated(const SyntheticKernel& kernel, const KernelInfo& info) {
  EXPECT_EQ(info.kaslrSlide, kernel.spec.slide);
  EXPECT_EQ(info.kernelBaseVa, SyntheticKernel::kText + kernel.spec.slide);
  EXPECT_EQ(info.kernelBasePa, kernel.headerPa);
  EXPECT_EQ(info.dtb, kernel.idlePml4);
  EXPECT_EQ(info.banner, kernel.spec.banner);
  EXPECT_EQ(info.versionMajor, 17);
  EXPECT_EQ(info.versionMinor, 7);
}

}  // namespace

TEST(KernelLocator, LocatesKernelWithResidentSymbolsAndProvesEveryFact) {
  SyntheticKernel kernel({});
  KernelLocator locator(kernel.memory);
  const KernelInfo info = locator.locate();
  expectLocated(kernel, info);
  EXPECT_EQ(info.uuid, "11223344-5566-7788-99AA-BBCCDDEEF001");
  EXPECT_EQ(info.build, "17G65");
  EXPECT_EQ(info.dtbSource, "_IdlePML4 via _BootPML4");
  EXPECT_FALSE(info.isKernelCollection);
  for (const char* name :
       {"mach-o header at slid base", "lowGlo lgStext", "lgVersion → banner",
        "banner at slid _version", "version ints", "DTB maps kernel back to header PA"}) {
    EXPECT_TRUE(agreed(info, name)) << name;
  }
  EXPECT_EQ(info.agreedFactCount(), info.facts.size());
  EXPECT_EQ(locator.symbols().find("_allproc"), SyntheticKernel::kData + 0x3000);
  EXPECT_EQ(info.slideSymbol(SyntheticKernel::kData + 0x3000),
            SyntheticKernel::kData + 0x3000 + kernel.spec.slide);
  ASSERT_FALSE(info.segments.empty());
  EXPECT_EQ(info.segments[0].name, "__TEXT");
  EXPECT_EQ(info.segments[0].pa, kernel.headerPa);
  EXPECT_GT(info.bytesTouched, 0u);
}

TEST(KernelLocator, SlideZeroIsLegal) {
  SyntheticKernel kernel({.slide = 0});
  const KernelInfo info = KernelLocator(kernel.memory).locate();
  expectLocated(kernel, info);
}

TEST(KernelLocator, WithoutSymbolsFindsDtbByScanningAndBuildThroughLowGlo) {
  SyntheticKernel kernel({.residentSymbols = false});
  KernelLocator locator(kernel.memory);
  const KernelInfo info = locator.locate();
  expectLocated(kernel, info);
  EXPECT_TRUE(locator.symbols().empty());
  EXPECT_NE(info.dtbSource.find("PML4 scan"), std::string::npos) << info.dtbSource;
  EXPECT_EQ(info.build, "17G65");
  EXPECT_FALSE(findFact(info, "version ints"));  // needs symbols: not checked
}

TEST(KernelLocator, HeaderAlreadyHoldingRuntimeAddresses) {
  SyntheticKernel kernel({.headerHoldsRuntime = true});
  const KernelInfo info = KernelLocator(kernel.memory).locate();
  expectLocated(kernel, info);
  EXPECT_EQ(info.segments[0].unslidStart, SyntheticKernel::kText);
}

TEST(KernelLocator, DecoyBannerAndHeaderCopyDoNotWin) {
  SyntheticKernel kernel({});
  // A banner of another build, and a byte copy of the kernel header at a
  // 2 MiB-aligned address that a naive scanner would take for the kernel.
  kernel.memory.writeString(0x5000,
                            "Darwin Kernel Version 99.1.0: decoy; root:xnu-1~1/RELEASE_X86_64");
  std::vector<std::uint8_t> header(4096);
  kernel.memory.read(kernel.headerPa, header);
  kernel.memory.write(0x4000000, header);
  const KernelInfo info = KernelLocator(kernel.memory).locate();
  expectLocated(kernel, info);
  auto hasDecoy = [&](const std::string& kind, std::uint64_t pa) {
    return std::any_of(info.decoys.begin(), info.decoys.end(),
                       [&](const KernelDecoy& d) { return d.kind == kind && d.pa == pa; });
  };
  EXPECT_TRUE(hasDecoy("banner", 0x5000));
  EXPECT_TRUE(hasDecoy("mach-o header", 0x4000000));
  EXPECT_FALSE(hasDecoy("banner", kernel.paOf(kernel.symbols.at("_version"))));
}

TEST(KernelLocator, ZeroedLowGlobalsStillProvenBySymbolsAndDtb) {
  SyntheticKernel kernel({.lowGlobals = false});
  const KernelInfo info = KernelLocator(kernel.memory).locate();
  expectLocated(kernel, info);
  EXPECT_EQ(info.lowGlobalsPa, 0u);
  EXPECT_TRUE(agreed(info, "banner at slid _version"));
  EXPECT_TRUE(agreed(info, "DTB maps kernel back to header PA"));
}

TEST(KernelLocator, MissingHeaderFallsBackToLowGlobalsAnchor) {
  SyntheticKernel kernel({.residentSymbols = false, .header = false});
  const KernelInfo info = KernelLocator(kernel.memory).locate();
  expectLocated(kernel, info);
  const KernelFact* header = findFact(info, "mach-o header at slid base");
  ASSERT_TRUE(header);
  EXPECT_FALSE(header->agreed);
  EXPECT_TRUE(agreed(info, "lgVersion → banner"));
}

TEST(KernelLocator, ProfileSymbolsHintIsUsedForProof) {
  SyntheticKernel kernel({.residentSymbols = false});
  KernelLocatorOptions options;
  options.unslidSymbols = &kernel.symbols;
  KernelLocator locator(kernel.memory, options);
  const KernelInfo info = locator.locate();
  expectLocated(kernel, info);
  EXPECT_EQ(info.dtbSource, "_IdlePML4 via _BootPML4");
  EXPECT_TRUE(agreed(info, "version ints"));
}

TEST(KernelLocator, ProfileOfAnotherBuildShowsDisagreement) {
  SyntheticKernel kernel({.residentSymbols = false});
  auto wrong = kernel.symbols;
  wrong["_version"] += 0x40;  // points into the middle of nothing
  KernelLocatorOptions options;
  options.unslidSymbols = &wrong;
  const KernelInfo info = KernelLocator(kernel.memory, options).locate();
  const KernelFact* fact = findFact(info, "banner at slid _version");
  ASSERT_TRUE(fact);
  EXPECT_FALSE(fact->agreed);
}

TEST(KernelLocator, CpuCr3IsCrossChecked) {
  SyntheticKernel kernel({});
  CpuState cpu;
  cpu.cr3 = kernel.idlePml4 | 0x3;
  kernel.memory.setCpus({cpu});
  const KernelInfo info = KernelLocator(kernel.memory).locate();
  const KernelFact* fact = findFact(info, "CR3 from ELF notes");
  ASSERT_TRUE(fact);
  EXPECT_TRUE(fact->agreed) << fact->detail;
  cpu.cr3 = 0x123000;
  kernel.memory.setCpus({cpu});
  const KernelInfo other = KernelLocator(kernel.memory).locate();
  EXPECT_FALSE(agreed(other, "CR3 from ELF notes"));
  EXPECT_EQ(other.dtb, kernel.idlePml4);
}

TEST(KernelLocator, KernelCollectionUsesPerSegmentRelocation) {
  SyntheticKernel kernel({.slide = 0x1a433000, .kernelCollection = true});
  const std::map<std::string, std::uint64_t> unslidSegments{
      {"__TEXT", SyntheticKernel::kText},
      {"__DATA", SyntheticKernel::kData},
      {"__HIB", SyntheticKernel::kHib},
      {"__LINKEDIT", SyntheticKernel::kLinkedit}};
  KernelLocatorOptions options;
  options.unslidSegments = &unslidSegments;
  KernelLocator locator(kernel.memory, options);
  const KernelInfo info = locator.locate();
  EXPECT_TRUE(info.isKernelCollection);
  EXPECT_EQ(info.kernelBaseVa, SyntheticKernel::kText + kernel.spec.slide);
  EXPECT_EQ(info.kernelBasePa, kernel.headerPa);
  EXPECT_EQ(info.kaslrSlide, kernel.spec.slide);
  EXPECT_EQ(info.dtb, kernel.idlePml4);
  EXPECT_EQ(info.banner, kernel.spec.banner);
  const std::uint64_t allproc = SyntheticKernel::kData + 0x3000;
  EXPECT_EQ(info.slideSymbol(allproc), kernel.slideOf(allproc));
  EXPECT_NE(info.slideSymbol(allproc), allproc + info.kaslrSlide);
  EXPECT_EQ(info.agreedFactCount(), info.facts.size());
}

TEST(KernelLocator, NoKernelIsAnAnalysisErrorThatSaysWhatWasTried) {
  xnuscope::test::PagedTestMemory memory;
  memory.back(0, 0x400000);
  memory.writeString(0x3000, "Darwin Kernel Version 17.7.0: lonely banner");
  try {
    KernelLocator(memory).locate();
    FAIL() << "expected AnalysisError";
  } catch (const AnalysisError& error) {
    EXPECT_NE(std::string(error.what()).find("no XNU kernel found"), std::string::npos);
  }
}

TEST(KernelLocator, CorruptHeaderIsRejectedNotFatal) {
  SyntheticKernel kernel({});
  // A header-looking page with an absurd command size next to the real kernel.
  std::vector<std::uint8_t> junk(64, 0xff);
  const std::uint32_t magic = 0xfeedfacf, cpu = 0x01000007, type = 2;
  std::memcpy(junk.data(), &magic, 4);
  std::memcpy(junk.data() + 4, &cpu, 4);
  std::memcpy(junk.data() + 12, &type, 4);
  kernel.memory.write(0x2000000, junk);
  const KernelInfo info = KernelLocator(kernel.memory).locate();
  expectLocated(kernel, info);
}

TEST(KernelLocator, PrintsFactsForInspection) {
  SyntheticKernel kernel({.residentSymbols = false});
  const KernelInfo info = KernelLocator(kernel.memory).locate();
  for (const auto& fact : info.facts) {
    std::printf("%-36s %s  %s\n", fact.name.c_str(), fact.agreed ? "yes" : "NO ",
                fact.detail.c_str());
  }
  std::printf("dtb %s via %s, touched %llu bytes\n", hex(info.dtb).c_str(), info.dtbSource.c_str(),
              static_cast<unsigned long long>(info.bytesTouched));
  EXPECT_GE(info.agreedFactCount(), 2u);
}

TEST(KernelLocator, DeferredDtbIsLeftOutOnlyWhereNothingCompetes) {
  SyntheticKernel kernel({.residentSymbols = false});
  KernelLocatorOptions options;
  options.deferDtb = true;
  options.decoyScan = KernelLocatorOptions::DecoyScan::Never;
  const KernelInfo deferred = KernelLocator(kernel.memory, options).locate();
  EXPECT_TRUE(deferred.dtbDeferred);
  EXPECT_EQ(deferred.dtb, 0u);
  EXPECT_EQ(deferred.kernelBasePa, kernel.headerPa);
  EXPECT_FALSE(findFact(deferred, "DTB maps kernel back to header PA"));
  EXPECT_GE(deferred.agreedFactCount(), 2u);

  // The same search without deferral pays for the DTB search through the data.
  options.deferDtb = false;
  const KernelInfo full = KernelLocator(kernel.memory, options).locate();
  EXPECT_FALSE(full.dtbDeferred);
  EXPECT_EQ(full.dtb, kernel.idlePml4);
  EXPECT_LT(deferred.bytesTouched, full.bytesTouched);

  // A decoy search (info) compares every header in the window: no deferral.
  options.deferDtb = true;
  options.decoyScan = KernelLocatorOptions::DecoyScan::Auto;
  const KernelInfo withDecoys = KernelLocator(kernel.memory, options).locate();
  EXPECT_FALSE(withDecoys.dtbDeferred);
  EXPECT_EQ(withDecoys.dtb, kernel.idlePml4);
}

TEST(KernelLocator, DeferredDtbIsSearchedWhenTheOtherFactsDoNotProve) {
  // No lowGlo and no symbols: the header alone is one fact, so the DTB is needed.
  SyntheticKernel kernel({.residentSymbols = false, .lowGlobals = false});
  KernelLocatorOptions options;
  options.deferDtb = true;
  options.decoyScan = KernelLocatorOptions::DecoyScan::Never;
  const KernelInfo info = KernelLocator(kernel.memory, options).locate();
  EXPECT_FALSE(info.dtbDeferred);
  EXPECT_EQ(info.dtb, kernel.idlePml4);
}

TEST(KernelLocator, KnownHeadersSpareTheSearch) {
  SyntheticKernel kernel({});
  KernelLocatorOptions first;
  first.decoyScan = KernelLocatorOptions::DecoyScan::Never;
  KernelLocator firstPass(kernel.memory, first);
  const KernelInfo found = firstPass.locate();
  ASSERT_FALSE(firstPass.headerCandidates().empty());

  KernelLocatorOptions second = first;
  second.knownHeaders = &firstPass.headerCandidates();
  const KernelInfo again = KernelLocator(kernel.memory, second).locate();
  expectLocated(kernel, again);
  EXPECT_EQ(again.kernelBasePa, found.kernelBasePa);
  EXPECT_LE(again.bytesTouched, found.bytesTouched);

  // Stale hints (no header there) fall back to the search.
  const std::vector<std::uint64_t> stale{0x1000, 0x200000};
  second.knownHeaders = &stale;
  expectLocated(kernel, KernelLocator(kernel.memory, second).locate());
}

TEST(KernelLocator, HeaderCopyBeforeTheKernelDoesNotWinAFirstPassThatDefersTheDtb) {
  // pslist's first pass: stops at the first complete proof and may leave the DTB
  // out. A byte copy of the header probed before the real one must still lose.
  SyntheticKernel kernel({.residentSymbols = false});
  std::vector<std::uint8_t> header(4096);
  kernel.memory.read(kernel.headerPa, header);
  kernel.memory.write(0x4000000, header);
  ASSERT_LT(0x4000000u, kernel.headerPa);
  KernelLocatorOptions options;
  options.deferDtb = true;
  options.decoyScan = KernelLocatorOptions::DecoyScan::Never;
  const KernelInfo info = KernelLocator(kernel.memory, options).locate();
  EXPECT_EQ(info.kernelBasePa, kernel.headerPa);
  EXPECT_EQ(info.kaslrSlide, kernel.spec.slide);
}
