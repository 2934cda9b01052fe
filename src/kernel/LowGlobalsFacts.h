// The facts a kernel's lowGlo page gives (kernel/LowGlobals.h):
//   "lowGlo lgStext"      lgStext equals the hypothesis' slid base (always agreed
//                         when the page itself is the anchor the base came from);
//   "lgVersion → banner"  lgVersion points to a Darwin banner, and to slid
//                         `_version` when symbols name it.
// Without a page: no fact, a warning.
#pragma once

#include <optional>

#include "kernel/KernelFacts.h"
#include "kernel/KernelInfo.h"
#include "kernel/LowGlobals.h"

namespace xnuscope {

// Sets info.lowGlobalsPa and, when lgVersion agrees, info.banner. `anchored`: the
// hypothesis was built from this page's lgStext.
void checkLowGlobals(KernelInfo& info, const std::optional<LowGlobals>& lowGlobals, bool anchored,
                     const SymbolLookup& symbolVa, const KernelMemoryView& kernel,
                     const FactSink& addFact);

}  // namespace xnuscope
