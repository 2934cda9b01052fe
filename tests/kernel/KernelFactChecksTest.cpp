// Unit tests for the locator's fact checks, each on its own: the lowGlo search and
// its facts, the banner and version-int facts, build identification and the DTB
// resolver, over the synthetic kernel read through the static kernel mapping.
#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "kernel/BannerFacts.h"
#include "kernel/BuildIdentification.h"
#include "kernel/DtbResolver.h"
#include "kernel/LowGlobalsFacts.h"
#include "kernel/LowGlobalsSearch.h"
#include "kernel/SyntheticKernel.h"

namespace xnuscope {
namespace {

using test::SyntheticKernel;
using test::SyntheticKernelSpec;

// One kernel hypothesis over a SyntheticKernel: its KernelInfo (base, segments),
// symbol lookup, kernel memory through the static mapping, and the facts recorded.
class Hypothesis {
 public:
  explicit Hypothesis(const SyntheticKernel& kernel, bool withSymbols = true)
      : kernel_(kernel), withSymbols_(withSymbols) {
    info.kernelBaseVa = kernel.slideOf(SyntheticKernel::kText);
    info.kernelBasePa = kernel.headerPa;
    info.kaslrSlide = kernel.spec.slide;
    for (const auto& [name, start, size] :
         {std::tuple{"__TEXT", SyntheticKernel::kText, SyntheticKernel::kTextSize},
          std::tuple{"__DATA", SyntheticKernel::kData, SyntheticKernel::kDataSize},
          std::tuple{"__HIB", SyntheticKernel::kHib, std::uint64_t{0x100000}},
          std::tuple{"__LINKEDIT", SyntheticKernel::kLinkedit, std::uint64_t{0x10000}}}) {
      info.segments.push_back(
          KernelSegment{name, start, size, kernel.slideOf(start), kernel.paOf(start)});
    }
  }

  KernelInfo info;
  std::vector<KernelFact> facts;

  SymbolLookup symbols() const {
    return [this](const char* name) -> std::optional<std::uint64_t> {
      const auto it = kernel_.symbols.find(name);
      if (!withSymbols_ || it == kernel_.symbols.end()) return std::nullopt;
      return kernel_.slideOf(it->second);
    };
  }
  FactSink sink() {
    return [this](std::string name, bool agreed, std::string detail) {
      facts.push_back(KernelFact{std::move(name), agreed, std::move(detail)});
    };
  }
  KernelMemoryView memory() const {
    const PhysicalMemory& physical = kernel_.memory;
    auto toPhysical = [](std::uint64_t va) -> std::optional<std::uint64_t> {
      if (va < SyntheticKernel::kBase) return std::nullopt;
      return va - SyntheticKernel::kBase;
    };
    auto read = [&physical, toPhysical](std::uint64_t va, std::span<std::uint8_t> out) {
      const auto pa = toPhysical(va);
      return pa ? physical.read(*pa, out) : 0;
    };
    auto readString = [read](std::uint64_t va, std::size_t max) -> std::optional<std::string> {
      std::string text(max, '\0');
      const std::size_t got =
          read(va, std::span(reinterpret_cast<std::uint8_t*>(text.data()), text.size()));
      const std::size_t nul = text.find('\0');
      if (nul >= got) return std::nullopt;
      return text.substr(0, nul);
    };
    return KernelMemoryView{read, readString, toPhysical};
  }

  const KernelFact* fact(const std::string& name) const {
    const auto it = std::find_if(facts.begin(), facts.end(),
                                 [&](const KernelFact& fact) { return fact.name == name; });
    return it == facts.end() ? nullptr : &*it;
  }
  std::vector<std::string> factNames() const {
    std::vector<std::string> names;
    for (const auto& fact : facts) names.push_back(fact.name);
    return names;
  }

 private:
  const SyntheticKernel& kernel_;
  bool withSymbols_;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A second lowGlo page that names another kernel, below the real one.
void writeDecoyLowGlobals(SyntheticKernel& kernel, std::uint64_t pa) {
  kernel.memory.write(pa, std::vector<std::uint8_t>{'C', 'a', 't', 'f', 'i', 's', 'h', ' ', 0, 0, 0,
                                                    0, 0, 0, 0, 0});
  kernel.memory.writeU64(pa + 0x10, SyntheticKernel::kText + 0x600000);
  kernel.memory.back(pa, 4096);
}

TEST(LowGlobalsSearch, FindsThePageAtItsSymbolInTheImageOrInRam) {
  SyntheticKernel kernel({});
  const std::uint64_t realPa = kernel.paOf(kernel.symbols.at("_lowGlo"));
  writeDecoyLowGlobals(kernel, 0x4000000);
  const PhysicalScanner scanner(kernel.memory);

  LowGlobalsSearch search(scanner);
  ASSERT_TRUE(search.at(realPa));
  EXPECT_EQ(search.at(realPa)->textStart, kernel.slideOf(SyntheticKernel::kText));
  EXPECT_EQ(search.at(realPa)->versionVa, kernel.slideOf(kernel.symbols.at("_version")));
  EXPECT_FALSE(search.at(kernel.headerPa));  // a page without the signature
  EXPECT_FALSE(search.at(0x7ff00000));       // not backed
  ASSERT_EQ(search.all().size(), 2u);
  EXPECT_EQ(search.all()[0].pa, 0x4000000u);  // address order
  EXPECT_EQ(search.all()[1].pa, realPa);

  // By symbol, by the image's segments, and from RAM preferring the kernel's own.
  Hypothesis withSymbols(kernel);
  EXPECT_EQ(search.forKernel(withSymbols.info, withSymbols.symbols(), withSymbols.memory())->pa,
            realPa);
  Hypothesis noSymbols(kernel, false);
  EXPECT_EQ(search.forKernel(noSymbols.info, noSymbols.symbols(), noSymbols.memory())->pa, realPa);
  noSymbols.info.segments.clear();
  EXPECT_EQ(search.forKernel(noSymbols.info, noSymbols.symbols(), noSymbols.memory())->pa, realPa);
  // A hypothesis no page names gets the first page in RAM.
  noSymbols.info.kernelBaseVa += 0x200000;
  EXPECT_EQ(search.forKernel(noSymbols.info, noSymbols.symbols(), noSymbols.memory())->pa,
            0x4000000u);
}

TEST(LowGlobalsSearch, NothingWhenRamHoldsNoLowGlobals) {
  const SyntheticKernel kernel({.lowGlobals = false});
  const PhysicalScanner scanner(kernel.memory);
  LowGlobalsSearch search(scanner);
  const Hypothesis hypothesis(kernel);
  EXPECT_FALSE(search.forKernel(hypothesis.info, hypothesis.symbols(), hypothesis.memory()));
  EXPECT_TRUE(search.all().empty());
}

TEST(LowGlobalsFacts, AgreeOnTheKernelsOwnPage) {
  const SyntheticKernel kernel({});
  const PhysicalScanner scanner(kernel.memory);
  const auto lowGlobals = LowGlobalsSearch(scanner).at(kernel.paOf(kernel.symbols.at("_lowGlo")));
  ASSERT_TRUE(lowGlobals);
  Hypothesis hypothesis(kernel);
  checkLowGlobals(hypothesis.info, lowGlobals, false, hypothesis.symbols(), hypothesis.memory(),
                  hypothesis.sink());
  EXPECT_EQ(hypothesis.factNames(),
            (std::vector<std::string>{"lowGlo lgStext", "lgVersion → banner"}));
  for (const auto& fact : hypothesis.facts) EXPECT_TRUE(fact.agreed) << fact.name << fact.detail;
  EXPECT_TRUE(contains(hypothesis.facts[0].detail, "equals")) << hypothesis.facts[0].detail;
  EXPECT_TRUE(contains(hypothesis.facts[1].detail, "\"Darwin Kernel Version 17.7.0"))
      << hypothesis.facts[1].detail;
  EXPECT_EQ(hypothesis.info.banner, kernel.spec.banner);
  EXPECT_EQ(hypothesis.info.lowGlobalsPa, lowGlobals->pa);
  EXPECT_TRUE(hypothesis.info.warnings.empty());
}

TEST(LowGlobalsFacts, DisagreeWhenThePageNamesAnotherKernelOrNoBanner) {
  const SyntheticKernel kernel({});
  const PhysicalScanner scanner(kernel.memory);
  auto lowGlobals = LowGlobalsSearch(scanner).at(kernel.paOf(kernel.symbols.at("_lowGlo")));
  ASSERT_TRUE(lowGlobals);

  Hypothesis other(kernel);
  other.info.kernelBaseVa += 0x200000;
  checkLowGlobals(other.info, lowGlobals, false, other.symbols(), other.memory(), other.sink());
  ASSERT_NE(other.fact("lowGlo lgStext"), nullptr);
  EXPECT_FALSE(other.fact("lowGlo lgStext")->agreed);
  EXPECT_TRUE(contains(other.fact("lowGlo lgStext")->detail, "differs from"));

  // The anchor itself: lgStext is where the base came from, so it agrees.
  checkLowGlobals(other.info, lowGlobals, true, other.symbols(), other.memory(), other.sink());
  EXPECT_TRUE(other.facts[2].agreed);
  EXPECT_FALSE(contains(other.facts[2].detail, "equals"));

  // lgVersion not at a banner, and not at slid _version.
  lowGlobals->versionVa = kernel.slideOf(kernel.symbols.at("_osversion"));
  Hypothesis noBanner(kernel);
  checkLowGlobals(noBanner.info, lowGlobals, false, noBanner.symbols(), noBanner.memory(),
                  noBanner.sink());
  const KernelFact* banner = noBanner.fact("lgVersion → banner");
  ASSERT_NE(banner, nullptr);
  EXPECT_FALSE(banner->agreed);
  EXPECT_TRUE(contains(banner->detail, "does not point to a Darwin banner")) << banner->detail;
  EXPECT_TRUE(contains(banner->detail, "but slid _version is")) << banner->detail;
  EXPECT_TRUE(noBanner.info.banner.empty());

  // No page: a warning and no fact.
  Hypothesis none(kernel);
  checkLowGlobals(none.info, std::nullopt, false, none.symbols(), none.memory(), none.sink());
  EXPECT_TRUE(none.facts.empty());
  ASSERT_EQ(none.info.warnings.size(), 1u);
  EXPECT_TRUE(contains(none.info.warnings[0], "Catfish"));
}

TEST(BannerFacts, BannerAndVersionIntsAgree) {
  const SyntheticKernel kernel({});
  Hypothesis hypothesis(kernel);
  const auto banner =
      checkBanner(hypothesis.info, hypothesis.symbols(), hypothesis.memory(), hypothesis.sink());
  ASSERT_TRUE(banner);
  EXPECT_EQ(banner->xnuBuildTag, "xnu-4570.71.2~1");
  EXPECT_EQ(hypothesis.factNames(),
            (std::vector<std::string>{"banner at slid _version", "version ints"}));
  for (const auto& fact : hypothesis.facts) EXPECT_TRUE(fact.agreed) << fact.name << fact.detail;
  EXPECT_TRUE(contains(hypothesis.facts[1].detail, "= 17.7 vs banner 17.7"))
      << hypothesis.facts[1].detail;
  EXPECT_EQ(hypothesis.info.banner, kernel.spec.banner);
  EXPECT_EQ(hypothesis.info.versionMajor, 17);
  EXPECT_EQ(hypothesis.info.versionMinor, 7);
}

TEST(BannerFacts, DisagreeOnAnotherBannerOrOtherInts) {
  SyntheticKernel kernel({});
  // lgVersion named a different banner first.
  Hypothesis other(kernel);
  other.info.banner = "Darwin Kernel Version 18.2.0: root:xnu-4903.231.4~2/RELEASE_X86_64";
  const auto parsed = checkBanner(other.info, other.symbols(), other.memory(), other.sink());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->major, 18);  // the banner already known stays
  EXPECT_FALSE(other.fact("banner at slid _version")->agreed);
  EXPECT_TRUE(contains(other.fact("banner at slid _version")->detail, "a different banner"));
  EXPECT_FALSE(other.fact("version ints")->agreed);  // 17.7 vs 18.2

  // No banner at _version: the version comes from the ints alone.
  kernel.memory.writeString(kernel.paOf(kernel.symbols.at("_version")), "not a banner");
  kernel.memory.writeU32(kernel.paOf(kernel.symbols.at("_version_major")), 19);
  Hypothesis noBanner(kernel);
  EXPECT_FALSE(checkBanner(noBanner.info, noBanner.symbols(), noBanner.memory(), noBanner.sink()));
  EXPECT_FALSE(noBanner.fact("banner at slid _version")->agreed);
  EXPECT_TRUE(contains(noBanner.fact("banner at slid _version")->detail, "no Darwin banner"));
  EXPECT_TRUE(contains(noBanner.fact("version ints")->detail, "(no banner to compare)"));
  EXPECT_EQ(noBanner.info.versionMajor, 19);
  EXPECT_EQ(noBanner.info.versionMinor, 7);

  // Without symbols: no fact at all.
  Hypothesis noSymbols(kernel, false);
  EXPECT_FALSE(
      checkBanner(noSymbols.info, noSymbols.symbols(), noSymbols.memory(), noSymbols.sink()));
  EXPECT_TRUE(noSymbols.facts.empty());
}

TEST(BannerFacts, UnreadableVersionIntsSaySo) {
  SyntheticKernel kernel({});
  kernel.memory.drop(kernel.paOf(kernel.symbols.at("_version_minor")));
  Hypothesis hypothesis(kernel);
  checkBanner(hypothesis.info, hypothesis.symbols(), hypothesis.memory(), hypothesis.sink());
  // _version shares the dropped page, so the banner is gone too.
  ASSERT_NE(hypothesis.fact("version ints"), nullptr);
  EXPECT_FALSE(hypothesis.fact("version ints")->agreed);
  EXPECT_EQ(hypothesis.fact("version ints")->detail, "version ints not readable");
}

TEST(BuildIdentification, OsversionThenLowGlobalsThenBannerTag) {
  SyntheticKernel kernel({});
  const PhysicalScanner scanner(kernel.memory);
  const Hypothesis hypothesis(kernel);
  const std::uint64_t osversionVa = kernel.slideOf(kernel.symbols.at("_osversion"));
  const std::uint64_t lowGlobalsPa = kernel.paOf(kernel.symbols.at("_lowGlo"));
  EXPECT_EQ(identifyBuild(hypothesis.memory(), osversionVa, std::nullopt, scanner, "tag"), "17G65");
  EXPECT_EQ(identifyBuild(hypothesis.memory(), std::nullopt, lowGlobalsPa, scanner, "tag"),
            "17G65");
  EXPECT_EQ(identifyBuild(hypothesis.memory(), std::nullopt, std::nullopt, scanner, "tag"), "tag");
  // An empty osversion falls through to lowGlo; a lowGlo pointer to nothing to the tag.
  kernel.memory.writeU64(lowGlobalsPa + LowGlobals::kOsVersionOffset, 0x1234);
  EXPECT_EQ(identifyBuild(hypothesis.memory(), osversionVa + 0x100, lowGlobalsPa, scanner, "tag"),
            "tag");
}

TEST(DtbResolver, IdlePml4ThenScanThenRecordedCr3) {
  SyntheticKernel kernel({});
  const PhysicalScanner scanner(kernel.memory);
  const DtbResolver resolver(kernel.memory, scanner);

  Hypothesis bySymbol(kernel);
  resolver.resolve(bySymbol.info, bySymbol.symbols(), std::nullopt, bySymbol.sink());
  EXPECT_EQ(bySymbol.info.dtb, kernel.idlePml4);
  EXPECT_EQ(bySymbol.info.dtbSource, "_IdlePML4 via _BootPML4");
  EXPECT_EQ(bySymbol.factNames(), (std::vector<std::string>{"DTB maps kernel back to header PA"}));
  EXPECT_TRUE(bySymbol.facts[0].agreed);

  // A given root that does not map the kernel is replaced by the scan, with a warning.
  Hypothesis wrongGiven(kernel, false);
  resolver.resolve(wrongGiven.info, wrongGiven.symbols(), 0x2000, wrongGiven.sink());
  EXPECT_EQ(wrongGiven.info.dtb, kernel.idlePml4);  // the one the kernel's data names
  EXPECT_TRUE(contains(wrongGiven.info.dtbSource, "PML4 scan")) << wrongGiven.info.dtbSource;
  ASSERT_EQ(wrongGiven.info.warnings.size(), 1u);
  EXPECT_TRUE(contains(wrongGiven.info.warnings[0], "--dtb gave 0x2000"))
      << wrongGiven.info.warnings[0];
  EXPECT_TRUE(wrongGiven.facts[0].agreed);

  // A hypothesis no page table maps: the fact disagrees and no DTB is kept.
  Hypothesis unmapped(kernel, false);
  unmapped.info.kernelBasePa += 0x1000;
  resolver.resolve(unmapped.info, unmapped.symbols(), std::nullopt, unmapped.sink());
  EXPECT_EQ(unmapped.info.dtb, 0u);
  ASSERT_EQ(unmapped.facts.size(), 1u);
  EXPECT_FALSE(unmapped.facts[0].agreed);

  // CR3 recorded with the image: one fact for the first CPU that has one.
  std::vector<CpuState> cpus(3);
  for (int i = 0; i < 3; ++i) cpus[i].index = i;
  cpus[1].cr3 = kernel.idlePml4;
  cpus[2].cr3 = 0x2000;
  kernel.memory.setCpus(cpus);
  Hypothesis recorded(kernel);
  recorded.info.dtb = kernel.idlePml4;
  resolver.checkRecordedCr3(recorded.info, recorded.sink());
  ASSERT_EQ(recorded.facts.size(), 1u);
  EXPECT_EQ(recorded.facts[0].name, "CR3 from ELF notes");
  EXPECT_TRUE(recorded.facts[0].agreed);
  EXPECT_TRUE(contains(recorded.facts[0].detail, "cpu1")) << recorded.facts[0].detail;
  EXPECT_TRUE(contains(recorded.facts[0].detail, "equals the DTB"));
}

}  // namespace
}  // namespace xnuscope
