// The one place where an invocation turns guest memory into "this kernel, with this
// profile": locate the kernel without any profile (so a wrong profile cannot steer
// the search), choose the profile (--profile PATH, or auto by UUID then banner from
// the profile directories), refuse a mismatch unless --force, then locate again
// with the profile's symbols so the DTB comes from _IdlePML4 and the proof gains the
// symbol-based facts. `info` and every walker command share it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "derive/DerivationReport.h"
#include "kernel/KernelInfo.h"
#include "kernel/KernelLocator.h"
#include "profile/Profile.h"

namespace xnuscope::cli {

class Session;

struct ResolvedKernel {
  KernelInfo kernel;
  std::optional<Profile> profile;  // empty only when !requireProfile and none fits
  std::string profileSource;       // "--profile PATH", "auto (uuid)", "auto (banner)", "derived"
  std::vector<std::string> warnings;
  std::optional<derive::DerivationReport> derivation;  // when profileSource is "derived"
};

struct KernelResolverOptions {
  bool requireProfile = true;  // false: a missing profile is a warning (info)
  bool forceDerive = false;    // derive even when --profile says otherwise (profile derive)
  bool allowIncompleteDerivation = false;  // keep a derived profile that lacks walker fields
  KernelLocatorOptions::DecoyScan decoyScan = KernelLocatorOptions::DecoyScan::Never;
};

// Throws InputError (bad --profile file) or AnalysisError (no kernel; no profile when
// one is required; a mismatching profile without --force).
ResolvedKernel resolveKernel(Session& session, const KernelResolverOptions& options);

}  // namespace xnuscope::cli
