// The one place where guest memory becomes "this kernel, with this layout":
//   1. locate the kernel without any profile, so a wrong profile cannot steer the
//      search (a --kernel file of another build is refused unless force);
//   2. exact profile: --profile PATH, or xnu_profiles/ by UUID, then by banner;
//   3. derived profile: each ProfileDeriver in turn, when no exact profile fits
//      (or at once with profile "derive");
//   4. refuse an exact profile of another build, naming both builds, unless force;
//   5. locate again with the profile's symbols (DTB via _IdlePML4, symbol facts).
// When neither an exact nor a derived profile serves, the resolution has no
// profile and says why (`whyNoProfile`); the Target then turns to beacons.
// Every step is recorded with its outcome, so `info`, Python and the CLI report
// the same reasons.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/Progress.h"
#include "engine/ProfileDeriver.h"
#include "engine/ProfileSource.h"
#include "kernel/KernelInfo.h"
#include "kernel/KernelLocator.h"
#include "physmem/PhysicalMemory.h"
#include "profile/Profile.h"

namespace xnuscope::engine {

// One step of the resolution and how it went.
struct ResolutionStep {
  std::string stage;  // "locate", "kernel file", "exact profile", "derived profile", ...
  bool succeeded = false;
  std::string detail;
};

struct ResolveOptions {
  // "auto", "derive" (skip the exact profiles), or a profile file (native, ISF,
  // Volatility 2 zip).
  std::string profile = "auto";
  std::string kernelFile;  // the kernel Mach-O of the guest's build (optional)
  std::optional<std::uint64_t> dtb;
  bool force = false;  // use a mismatching profile / kernel file with a warning
  KernelLocatorOptions::DecoyScan decoyScan = KernelLocatorOptions::DecoyScan::Never;
  // Where `auto` looks; empty: ProfileRepository::defaultDirectories().
  std::vector<std::string> profileDirectories;
  std::vector<std::shared_ptr<ProfileDeriver>> derivers;
  bool allowIncompleteDerivation = false;  // see DerivationInput::allowIncomplete
  ProgressFn progress;
  std::function<void()> progressDone;  // called after each whole-memory scan
};

struct Resolution {
  KernelInfo kernel;
  std::optional<Profile> profile;              // empty: no exact or derived profile serves
  std::optional<ProfileSource> profileSource;  // Exact or Derived when profile is set
  std::string profileOrigin;  // "--profile PATH", "auto (uuid)", "derived (NAME)", ...
  std::optional<derive::DerivationReport> derivation;  // when a deriver kept its report
  std::string whyNoProfile;                            // set when profile is empty
  std::vector<std::string> warnings;
  std::vector<ResolutionStep> steps;
  // Unslid symbols of the --kernel file (empty without one), for callers that name
  // kernel code by symbol (disasm).
  std::map<std::string, std::uint64_t> kernelFileSymbols;
};

// Throws InputError (unreadable --profile or kernel file) or AnalysisError (no
// kernel; a mismatching profile or kernel file without force).
Resolution resolveKernel(const PhysicalMemory& memory, const ResolveOptions& options);

}  // namespace xnuscope::engine
