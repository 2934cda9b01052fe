// Kernel-collection segments placed by profile symbols (CollectionSegmentAnchors):
// each segment lands where the kernel file linked it, and a segment whose anchors
// are missing or wrong is left on the __TEXT slide with a warning naming it — the
// anchors are checked against memory, never assumed.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "kernel/KernelLocator.h"
#include "physmem/ImageOpener.h"
#include "profile/IsfProfile.h"
#include "support/ForgeImages.h"

namespace xnuscope::test {
namespace {

using Json = nlohmann::json;

std::uint64_t hexValue(const Json& value) {
  return std::stoull(value.get<std::string>(), nullptr, 16);
}

std::map<std::string, std::uint64_t> linkedStarts(const Json& truth) {
  std::map<std::string, std::uint64_t> starts;
  for (const auto& segment : truth["segments"]) {
    starts[segment["name"].get<std::string>()] = hexValue(segment["unslid_vmaddr"]);
  }
  return starts;
}

const KernelSegment& segmentNamed(const KernelInfo& info, const std::string& name) {
  for (const auto& segment : info.segments) {
    if (segment.name == name) return segment;
  }
  throw std::runtime_error("no segment " + name);
}

bool warnsAbout(const KernelInfo& info, const std::string& segment) {
  for (const auto& warning : info.warnings) {
    if (warning.find("kernel collection") != std::string::npos &&
        warning.find(segment) != std::string::npos) {
      return true;
    }
  }
  return false;
}

struct Located {
  KernelInfo info;
  Json truth;
};

Located locate(std::map<std::string, std::uint64_t> symbols, const ForgedImage& forged) {
  const auto memory = openPhysicalMemory(forged.image);
  KernelLocatorOptions options;
  options.unslidSymbols = &symbols;
  return {KernelLocator(*memory, options).locate(), forged.truth};
}

ForgedImage forgedGuest(const std::string& layout, std::vector<std::string> extra = {}) {
  return forgeImage({.profile = layout,
                     .seed = 61,
                     .ram = "128M",
                     .procs = 8,
                     .format = "raw",
                     .extraArgs = std::move(extra)});
}

TEST(CollectionSegmentAnchors, EverySegmentLandsWhereTheKernelFileLinkedIt) {
  for (const char* layout :
       {"macos11-kc-xnu-source", "macos12-kc-xnu-source", "macos15-kc-xnu-source"}) {
    SCOPED_TRACE(layout);
    const ForgedImage forged = forgedGuest(layout);
    const auto symbols = importIsfProfile(forged.isfPath).profile.symbols;
    const Located got = locate(symbols, forged);
    const auto want = linkedStarts(got.truth);
    for (const char* name : {"__TEXT", "__DATA_CONST", "__DATA", "__HIB"}) {
      EXPECT_EQ(segmentNamed(got.info, name).unslidStart, want.at(name)) << name;
    }
    EXPECT_FALSE(warnsAbout(got.info, "__DATA")) << ::testing::PrintToString(got.info.warnings);
  }
}

TEST(CollectionSegmentAnchors, WithoutLowGloTheMessageBufferAndKmodPlaceDataConst) {
  const ForgedImage forged = forgedGuest("macos14-kc-xnu-source", {"--zero-lowglo"});
  const auto symbols = importIsfProfile(forged.isfPath).profile.symbols;
  const Located got = locate(symbols, forged);
  EXPECT_EQ(segmentNamed(got.info, "__DATA_CONST").unslidStart,
            linkedStarts(got.truth).at("__DATA_CONST"));
}

TEST(CollectionSegmentAnchors, SegmentWithoutUsableAnchorsIsLeftAndNamed) {
  const ForgedImage forged = forgedGuest("macos13-kc-xnu-source", {"--zero-lowglo"});
  auto symbols = importIsfProfile(forged.isfPath).profile.symbols;
  // __DATA_CONST holds _lowGlo (zeroed), _msgbufp and _kmod: take the last two away.
  symbols.erase("_msgbufp");
  symbols.erase("_kmod");
  // __DATA's only anchor, _IdlePML4, moved by 8 bytes: the value there is not the DTB.
  symbols["_IdlePML4"] += 8;
  const Located got = locate(symbols, forged);
  const auto want = linkedStarts(got.truth);
  EXPECT_NE(segmentNamed(got.info, "__DATA_CONST").unslidStart, want.at("__DATA_CONST"));
  EXPECT_NE(segmentNamed(got.info, "__DATA").unslidStart, want.at("__DATA"));
  EXPECT_TRUE(warnsAbout(got.info, "__DATA_CONST, __DATA "))
      << ::testing::PrintToString(got.info.warnings);
  // __HIB is still placed by _BootPML4, and __TEXT by the header.
  EXPECT_EQ(segmentNamed(got.info, "__HIB").unslidStart, want.at("__HIB"));
  EXPECT_EQ(segmentNamed(got.info, "__TEXT").unslidStart, want.at("__TEXT"));
}

}  // namespace
}  // namespace xnuscope::test
