// The one parser of the kernel's `_version` banner, for the locator (is this a
// banner? which Darwin version?) and the profiles (which xnu? same banner?):
//   "Darwin Kernel Version 17.7.0: Thu Jun 21 22:53:14 PDT 2018;
//    root:xnu-4570.71.2~1/RELEASE_X86_64"
// Its parts:
//   darwinVersion "17.7.0", major 17, minor 7
//   xnuVersion    "xnu-4570.71.2"    the source release (what profiles record)
//   xnuBuildTag   "xnu-4570.71.2~1"  the release plus Apple's build suffix "~N"
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace xnuscope {

inline constexpr std::string_view kBannerPrefix = "Darwin Kernel Version ";

struct DarwinBanner {
  int major = 0;  // Darwin major (17 → macOS 10.13)
  int minor = 0;
  std::string darwinVersion;  // "17.7.0"
  std::string xnuVersion;     // "xnu-4570.71.2"; empty when the banner names no xnu
  std::string xnuBuildTag;    // "xnu-4570.71.2~1"; equals xnuVersion when no "~N"

  // nullopt unless `text` starts with the prefix followed by "major.minor".
  static std::optional<DarwinBanner> parse(std::string_view text);
};

// "xnu-4570.71.2" from anywhere in `banner` (without the "~N" build suffix); empty
// when absent. Accepts text that parse() rejects (a profile's banner field).
std::string xnuVersionFromBanner(std::string_view banner);
// "17.7.0" from "Darwin Kernel Version 17.7.0: ..." anywhere in `banner`; empty if
// absent.
std::string darwinVersionFromBanner(std::string_view banner);
// For matching a banner read from memory against a profile's: stops at the first
// NUL, trims surrounding whitespace and collapses runs of whitespace to one space
// ("Wed Nov  2" and "Wed Nov 2" compare equal).
std::string normalizeBanner(std::string_view banner);

}  // namespace xnuscope
