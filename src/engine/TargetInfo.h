// What `Target::info()` reports: the located kernel (KernelInfo: base, slide, DTB,
// banner, UUID, build, the facts that prove it, decoys) and how its profile was
// resolved, step by step.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/KernelResolution.h"
#include "engine/ProfileSource.h"
#include "kernel/KernelInfo.h"

namespace xnuscope::engine {

struct TargetInfo {
  KernelInfo kernel;
  std::optional<std::string> profile;  // Profile::describe(); nullopt when none serves
  std::optional<ProfileSource> profileSource;
  std::string profileOrigin;  // "auto (uuid)", "--profile PATH", "derived (NAME)"; "" when none
  std::vector<std::string> warnings;  // the locator's, then the resolution's
  std::vector<ResolutionStep> steps;
};

}  // namespace xnuscope::engine
