// Where the struct layout the walkers use came from, in the order the engine tries
// them: an exact profile of the kernel's build (xnu_profiles/ by UUID or banner, or
// --profile PATH), a profile derived from the kernel's own code and data (a
// ProfileDeriver, see ProfileDeriver.h), or no layout at all and the process list
// of an in-guest companion's beacon pages.
#pragma once

#include <string_view>

namespace xnuscope::engine {

enum class ProfileSource { Exact, Derived, Beacon };

// "exact", "derived", "beacon"
std::string_view profileSourceName(ProfileSource source);

}  // namespace xnuscope::engine
