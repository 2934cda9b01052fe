// The kernel's `_version` banner, "Darwin Kernel Version 17.7.0: Thu Jun 21
// 22:53:14 PDT 2018; root:xnu-4570.71.2~1/RELEASE_X86_64", as profiles and memory
// carry it: parts a profile records, and the normal form banners are compared in.
#pragma once

#include <string>

namespace xnuscope {

// "xnu-4570.71.2" from "...root:xnu-4570.71.2~1/RELEASE_X86_64"; empty if absent.
std::string xnuVersionFromBanner(const std::string& banner);
// "17.7.0" from "Darwin Kernel Version 17.7.0: ..."; empty if absent.
std::string darwinVersionFromBanner(const std::string& banner);
// For matching a banner read from memory against a profile's: stops at the first
// NUL, trims trailing whitespace/newlines and collapses runs of spaces
// ("Wed Nov  2" and "Wed Nov 2" compare equal).
std::string normalizeBanner(const std::string& banner);

}  // namespace xnuscope
