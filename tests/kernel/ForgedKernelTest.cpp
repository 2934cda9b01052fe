// The locator against forge images of the six real builds (raw, ELF, LiME) and the
// hostile variants. The forge is an independent oracle: its truth.json says where
// it put the kernel; the locator must find exactly that without a profile.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "core/Error.h"
#include "core/Hex.h"
#include "kernel/KernelLocator.h"
#include "physmem/ImageOpener.h"
#include "support/ForgeImages.h"

using namespace xnuscope;
using xnuscope::test::forgeImage;
using xnuscope::test::ForgeRequest;

namespace {

const KernelFact* findFact(const KernelInfo& info, const std::string& name) {
  for (const auto& fact : info.facts) {
    if (fact.name == name) return &fact;
  }
  return nullptr;
}

std::string describeFacts(const KernelInfo& info) {
  std::string text;
  for (const auto& fact : info.facts) {
    text += "\n  " + fact.name + (fact.agreed ? ": yes, " : ": NO, ") + fact.detail;
  }
  return text;
}

void expectEqualsTruth(const KernelInfo& info, const nlohmann::json& truth, bool checkDtb = true) {
  EXPECT_EQ(hex(info.kernelBaseVa), truth["kernel_base_va"]);
  EXPECT_EQ(hex(info.kernelBasePa), truth["kernel_base_pa"]);
  EXPECT_EQ(hex(info.kaslrSlide), truth["kaslr_slide"]);
  if (checkDtb) {
    EXPECT_EQ(hex(info.dtb), truth["dtb"]) << info.dtbSource;
  }
  EXPECT_EQ(info.banner, truth["banner"]);
  EXPECT_EQ(info.uuid, truth["uuid"]);
  EXPECT_EQ(info.build, truth["build"]);
  EXPECT_EQ(info.versionMajor, truth["version_major"].get<int>());
  EXPECT_EQ(info.versionMinor, truth["version_minor"].get<int>());
  EXPECT_GE(info.agreedFactCount(), 2u) << describeFacts(info);
}

struct BuildAndFormat {
  std::string profile;
  std::string format;
};

class ForgedBuilds : public ::testing::TestWithParam<BuildAndFormat> {};

}  // namespace

TEST_P(ForgedBuilds, LocatesKernelWithoutProfileAndEqualsTruth) {
  const auto& param = GetParam();
  // A different seed (and so a different random slide) per build and format.
  const std::uint64_t seed = 100 + std::hash<std::string>{}(param.profile + param.format) % 1000;
  const auto forged = forgeImage(ForgeRequest{
      .profile = param.profile, .seed = seed, .format = param.format, .extraArgs = {}});
  const auto memory = openPhysicalMemory(forged.image);
  KernelLocator locator(*memory);
  const KernelInfo info = locator.locate();
  expectEqualsTruth(info, forged.truth);
  EXPECT_EQ(info.lowGlobalsPa,
            std::stoull(forged.truth["lowglo_pa"].get<std::string>(), nullptr, 16));
  EXPECT_EQ(info.agreedFactCount(), info.facts.size()) << describeFacts(info);
  // Every resident segment lands where the forge put it.
  for (const auto& segment : forged.truth["segments"]) {
    if (!segment["resident"].get<bool>()) continue;
    const auto it = std::find_if(info.segments.begin(), info.segments.end(),
                                 [&](const KernelSegment& s) { return s.name == segment["name"]; });
    ASSERT_NE(it, info.segments.end()) << segment["name"];
    EXPECT_EQ(hex(it->runtimeStart), segment["runtime_vmaddr"]);
    EXPECT_EQ(hex(it->unslidStart), segment["unslid_vmaddr"]);
    EXPECT_EQ(hex(it->pa), segment["pa"]);
  }
  if (param.format == "elf") {
    const KernelFact* cr3 = findFact(info, "CR3 from ELF notes");
    ASSERT_TRUE(cr3);
    EXPECT_TRUE(cr3->agreed) << cr3->detail;
  }
}

std::vector<BuildAndFormat> allBuildsAndFormats() {
  std::vector<BuildAndFormat> params;
  for (const auto& profile : xnuscope::test::realBuilds()) {
    for (const char* format : {"raw", "elf", "lime"}) params.push_back({profile, format});
  }
  return params;
}

INSTANTIATE_TEST_SUITE_P(SixBuilds, ForgedBuilds, ::testing::ValuesIn(allBuildsAndFormats()),
                         [](const auto& info) {
                           std::string name =
                               info.param.profile.substr(0, info.param.profile.find('_')) + "_" +
                               info.param.format;
                           std::string version = info.param.profile;
                           version = version.substr(version.find('_') + 1);
                           version = version.substr(0, version.find('_'));
                           std::replace(version.begin(), version.end(), '.', '_');
                           return name + "_" + version;
                         });

TEST(ForgedKernel, KeepsymsGivesResidentSymbolsAndIdlePml4ThroughBootPml4) {
  const auto forged = forgeImage(ForgeRequest{
      .profile = "ElCapitan_10.11.6_15G1212", .seed = 21, .extraArgs = {"--keepsyms"}});
  const auto memory = openPhysicalMemory(forged.image);
  KernelLocator locator(*memory);
  const KernelInfo info = locator.locate();
  expectEqualsTruth(info, forged.truth);
  EXPECT_EQ(info.dtbSource, "_IdlePML4 via _BootPML4");
  ASSERT_FALSE(locator.symbols().empty());
  for (const auto& [name, runtime] : forged.truth["symbols_runtime"].items()) {
    const auto unslid = locator.symbols().find(name);
    ASSERT_TRUE(unslid) << name;
    EXPECT_EQ(hex(info.slideSymbol(*unslid)), runtime) << name;
  }
  for (const char* fact : {"banner at slid _version", "version ints", "lowGlo lgStext"}) {
    const KernelFact* f = findFact(info, fact);
    ASSERT_TRUE(f) << fact;
    EXPECT_TRUE(f->agreed) << fact << ": " << f->detail;
  }
}

TEST(ForgedKernel, ProfileSymbolsFromIsfHintAreUsed) {
  const auto forged =
      forgeImage(ForgeRequest{.profile = "Sierra_10.12.6_16G29", .seed = 22, .extraArgs = {}});
  // The truth's runtime symbols minus the slide are the profile's unslid ones.
  const std::uint64_t slide =
      std::stoull(forged.truth["kaslr_slide"].get<std::string>(), nullptr, 16);
  std::map<std::string, std::uint64_t> unslid;
  for (const auto& [name, runtime] : forged.truth["symbols_runtime"].items()) {
    unslid[name] = std::stoull(runtime.get<std::string>(), nullptr, 16) - slide;
  }
  const auto memory = openPhysicalMemory(forged.image);
  KernelLocatorOptions options;
  options.unslidSymbols = &unslid;
  const KernelInfo info = KernelLocator(*memory, options).locate();
  expectEqualsTruth(info, forged.truth);
  EXPECT_EQ(info.dtbSource, "_IdlePML4 via _BootPML4");
  EXPECT_EQ(info.agreedFactCount(), info.facts.size()) << describeFacts(info);
}

TEST(ForgedKernel, SlideZero) {
  const auto forged = forgeImage(
      ForgeRequest{.profile = "Yosemite_10.10.5_14F27", .seed = 23, .extraArgs = {"--slide", "0"}});
  const auto memory = openPhysicalMemory(forged.image);
  const KernelInfo info = KernelLocator(*memory).locate();
  EXPECT_EQ(info.kaslrSlide, 0u);
  expectEqualsTruth(info, forged.truth);
}

TEST(ForgedKernel, DecoyBannerDoesNotWinAndIsReported) {
  for (const char* profile : {"Mavericks_10.9.5_13F34", "HighSierra_10.13.1_17B48"}) {
    const auto forged =
        forgeImage(ForgeRequest{.profile = profile, .seed = 24, .extraArgs = {"--decoy-banner"}});
    const auto memory = openPhysicalMemory(forged.image);
    const KernelInfo info = KernelLocator(*memory).locate();
    expectEqualsTruth(info, forged.truth);
    const std::string decoyPa = forged.truth["hostile"]["decoy_banner_pa"];
    EXPECT_TRUE(std::any_of(
        info.decoys.begin(), info.decoys.end(),
        [&](const KernelDecoy& d) { return d.kind == "banner" && hex(d.pa) == decoyPa; }))
        << profile << ": decoy at " << decoyPa << " not reported";
  }
}

TEST(ForgedKernel, ZeroedLowGlobalsStillProven) {
  const auto forged = forgeImage(ForgeRequest{
      .profile = "HighSierra_10.13.6_17G65", .seed = 25, .extraArgs = {"--zero-lowglo"}});
  const auto memory = openPhysicalMemory(forged.image);
  const KernelInfo info = KernelLocator(*memory).locate();
  // Without lowGlo and without symbols the build comes from the banner's xnu version.
  EXPECT_EQ(hex(info.kernelBaseVa), forged.truth["kernel_base_va"]);
  EXPECT_EQ(hex(info.kaslrSlide), forged.truth["kaslr_slide"]);
  EXPECT_EQ(hex(info.dtb), forged.truth["dtb"]);
  EXPECT_EQ(info.uuid, forged.truth["uuid"]);
  EXPECT_EQ(info.lowGlobalsPa, 0u);
  EXPECT_FALSE(findFact(info, "lowGlo lgStext"));
  EXPECT_GE(info.agreedFactCount(), 2u) << describeFacts(info);
}

TEST(ForgedKernel, ZeroedLowGlobalsWithKeepsymsEqualsTruth) {
  const auto forged = forgeImage(ForgeRequest{
      .profile = "Sierra_10.12.6_16G29", .seed = 26, .extraArgs = {"--zero-lowglo", "--keepsyms"}});
  const auto memory = openPhysicalMemory(forged.image);
  const KernelInfo info = KernelLocator(*memory).locate();
  expectEqualsTruth(info, forged.truth);
}

TEST(ForgedKernel, TruncatedImage) {
  const ForgeRequest whole{.profile = "HighSierra_10.13.6_17G65", .seed = 27, .extraArgs = {}};
  const auto full = forgeImage(whole);
  const std::uint64_t kernelPa =
      std::stoull(full.truth["kernel_base_pa"].get<std::string>(), nullptr, 16);
  // Cut 16 MiB above the kernel: the kernel survives, some page tables may not.
  ForgeRequest above = whole;
  above.extraArgs = {"--truncate", std::to_string(kernelPa + (16u << 20))};
  const auto cut = forgeImage(above);
  const auto memory = openPhysicalMemory(cut.image);
  const KernelInfo info = KernelLocator(*memory).locate();
  EXPECT_EQ(hex(info.kernelBaseVa), cut.truth["kernel_base_va"]);
  EXPECT_EQ(hex(info.kaslrSlide), cut.truth["kaslr_slide"]);
  EXPECT_EQ(info.banner, cut.truth["banner"]);
  if (info.dtb != 0) {
    EXPECT_EQ(hex(info.dtb), cut.truth["dtb"]);
  }
  // Cut below the kernel: a clear analysis error, not a crash.
  ForgeRequest below = whole;
  below.extraArgs = {"--truncate", std::to_string(kernelPa - (4u << 20))};
  const auto gone = forgeImage(below);
  const auto shortMemory = openPhysicalMemory(gone.image);
  EXPECT_THROW(KernelLocator(*shortMemory).locate(), AnalysisError);
}

TEST(ForgedKernel, KernelCollectionFilesetIsFoundAndRelocatedPerSegment) {
  const auto forged =
      forgeImage(ForgeRequest{.profile = "macos11-kc-xnu-source", .seed = 31, .extraArgs = {}});
  ASSERT_TRUE(forged.truth["is_kernel_collection"].get<bool>());
  const auto memory = openPhysicalMemory(forged.image);
  {
    const KernelInfo info = KernelLocator(*memory).locate();
    EXPECT_TRUE(info.isKernelCollection);
    expectEqualsTruth(info, forged.truth);
    EXPECT_EQ(info.agreedFactCount(), info.facts.size()) << describeFacts(info);
  }
  // With the kernel file's unslid segment starts, every segment relocates on its
  // own: __DATA_CONST below __TEXT, __DATA with a slide of its own.
  std::map<std::string, std::uint64_t> unslidSegments;
  for (const auto& segment : forged.truth["segments"]) {
    unslidSegments[segment["name"]] =
        std::stoull(segment["unslid_vmaddr"].get<std::string>(), nullptr, 16);
  }
  KernelLocatorOptions options;
  options.unslidSegments = &unslidSegments;
  const KernelInfo info = KernelLocator(*memory, options).locate();
  expectEqualsTruth(info, forged.truth);
  std::set<std::uint64_t> slides;
  for (const auto& segment : forged.truth["segments"]) {
    const auto it = std::find_if(info.segments.begin(), info.segments.end(),
                                 [&](const KernelSegment& s) { return s.name == segment["name"]; });
    ASSERT_NE(it, info.segments.end()) << segment["name"];
    EXPECT_EQ(hex(it->unslidStart), segment["unslid_vmaddr"]);
    EXPECT_EQ(hex(it->runtimeStart), segment["runtime_vmaddr"]);
    EXPECT_EQ(hex(info.slideSymbol(it->unslidStart + 8)),
              hex(std::stoull(segment["runtime_vmaddr"].get<std::string>(), nullptr, 16) + 8));
    slides.insert(it->runtimeStart - it->unslidStart);
  }
  EXPECT_GT(slides.size(), 1u);  // not one slide: the 10.x simplification would be wrong
}
