// The one place that says what the engine's walkers read from a profile. A compact
// profile (xnu_profiles/*.json) keeps these structs — plus every struct they embed,
// so dotted paths like "cr_posix.cr_uid" resolve — and these symbols. The full
// symbol table lives beside it in symbols/.
#pragma once

#include <string>
#include <vector>

#include "profile/Profile.h"

namespace xnuscope {

const std::vector<std::string>& walkerStructNames();
const std::vector<std::string>& walkerSymbolNames();

// `full` reduced to the walker structs (and the structs they embed, transitively)
// and walker symbols. Structs or symbols the build lacks are simply absent.
Profile compactForWalkers(const Profile& full);

}  // namespace xnuscope
