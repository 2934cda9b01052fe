// The facts the kernel's version variables give:
//   "banner at slid _version"  `_version` holds a Darwin banner, the same one
//                              lgVersion named if it named one;
//   "version ints"             `_version_major`/`_version_minor` equal the
//                              banner's "major.minor".
// Each only when symbols name its variables.
#pragma once

#include <optional>

#include "core/DarwinBanner.h"
#include "kernel/KernelFacts.h"
#include "kernel/KernelInfo.h"

namespace xnuscope {

// Sets info.banner when it is still empty and `_version` holds one, and
// info.versionMajor/Minor from the banner (else from the version ints). Returns
// the parsed info.banner; nullopt when the kernel's banner is unknown.
std::optional<DarwinBanner> checkBanner(KernelInfo& info, const SymbolLookup& symbolVa,
                                        const KernelMemoryView& kernel, const FactSink& addFact);

}  // namespace xnuscope
