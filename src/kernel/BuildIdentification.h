// Which build the located kernel is: the `osversion` string ("17G65") at the
// `_osversion` symbol, else through lowGlo's lgOSVersion pointer (no symbols
// needed), else the banner's xnu build tag ("xnu-4570.71.2~1").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kernel/KernelFacts.h"
#include "kernel/PhysicalScanner.h"

namespace xnuscope {

// `osversionVa`: slid `_osversion`, if known; `lowGlobalsPa`: the proven lowGlo
// page, if any; `bannerBuildTag`: fallback (may be empty). Empty when nothing
// names the build.
std::string identifyBuild(const KernelMemoryView& kernel, std::optional<std::uint64_t> osversionVa,
                          std::optional<std::uint64_t> lowGlobalsPa, const PhysicalScanner& scanner,
                          const std::string& bannerBuildTag);

}  // namespace xnuscope
