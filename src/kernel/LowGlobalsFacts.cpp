#include "kernel/LowGlobalsFacts.h"

#include "core/DarwinBanner.h"
#include "core/Hex.h"

namespace xnuscope {
namespace {

std::string comparison(const char* what, std::uint64_t got, std::uint64_t expected) {
  return std::string(what) + " " + hex(got) + (got == expected ? " equals " : " differs from ") +
         hex(expected);
}

}  // namespace

void checkLowGlobals(KernelInfo& info, const std::optional<LowGlobals>& lowGlobals, bool anchored,
                     const SymbolLookup& symbolVa, const KernelMemoryView& kernel,
                     const FactSink& addFact) {
  if (!lowGlobals) {
    info.warnings.push_back("no lowGlo (\"Catfish \") page found");
    return;
  }
  info.lowGlobalsPa = lowGlobals->pa;
  const std::string where = "lowGlo at PA " + hex(lowGlobals->pa) + ": ";
  if (anchored) {
    addFact("lowGlo lgStext", true, where + "lgStext " + hex(lowGlobals->textStart));
  } else {
    addFact("lowGlo lgStext", lowGlobals->textStart == info.kernelBaseVa,
            where + comparison("lgStext", lowGlobals->textStart, info.kernelBaseVa));
  }

  const auto banner = kernel.readString(lowGlobals->versionVa, kMaxBannerLength);
  const bool isBanner = banner && DarwinBanner::parse(*banner);
  std::string detail = "lgVersion " + hex(lowGlobals->versionVa);
  bool agreed = isBanner;
  if (!isBanner) detail += " does not point to a Darwin banner";
  if (const auto version = symbolVa("_version"); version && *version != lowGlobals->versionVa) {
    agreed = false;
    detail += " but slid _version is " + hex(*version);
  }
  if (isBanner) {
    detail += " → \"" + banner->substr(0, 40) + "...\"";
    if (agreed) info.banner = *banner;
  }
  addFact("lgVersion → banner", agreed, detail);
}

}  // namespace xnuscope
