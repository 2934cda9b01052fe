#include "engine/KernelResolution.h"

#include "core/Error.h"
#include "core/Hex.h"
#include "kernel/KernelFile.h"
#include "mmu/VirtualMemory.h"
#include "mmu/X86_64Translator.h"
#include "profile/ProfileRepository.h"

namespace xnuscope::engine {
namespace {

// One locate() pass: what it is given and what it hands back besides KernelInfo.
struct Pass {
  KernelLocatorOptions::DecoyScan decoyScan = KernelLocatorOptions::DecoyScan::Never;
  const std::map<std::string, std::uint64_t>* symbols = nullptr;
  const std::vector<std::uint64_t>* knownHeaders = nullptr;
  bool deferDtb = false;
  std::map<std::string, std::uint64_t>* residentSymbols = nullptr;  // out
  std::vector<std::uint64_t>* headers = nullptr;                    // out
};

KernelInfo locate(const PhysicalMemory& memory, const ResolveOptions& options,
                  const std::optional<KernelFile>& kernelFile, const Pass& pass) {
  KernelLocatorOptions locatorOptions;
  locatorOptions.knownHeaders = pass.knownHeaders;
  locatorOptions.unslidSymbols = pass.symbols;
  // The kernel file's unslid segment starts: a kernel collection slides each one.
  if (kernelFile) locatorOptions.unslidSegments = &kernelFile->segments();
  locatorOptions.dtb = options.dtb;
  locatorOptions.decoyScan = pass.decoyScan;
  locatorOptions.deferDtb = pass.deferDtb;
  locatorOptions.progress = options.progress;
  struct ProgressDone {
    const ResolveOptions& options;
    ~ProgressDone() {
      if (options.progressDone) options.progressDone();
    }
  } done{options};
  KernelLocator locator(memory, locatorOptions);
  KernelInfo info = locator.locate();
  if (pass.residentSymbols) *pass.residentSymbols = locator.symbols().all();
  if (pass.headers) *pass.headers = locator.headerCandidates();
  return info;
}

std::string describeLocated(const KernelInfo& kernel) {
  const std::string dtb = kernel.dtbDeferred
                              ? "DTB " + kernel.dtbSource
                              : "DTB " + hex(kernel.dtb) + " from " + kernel.dtbSource;
  std::string text = "kernel at " + hex(kernel.kernelBaseVa) + " (slide " + hex(kernel.kaslrSlide) +
                     "), " + dtb + "; " + std::to_string(kernel.agreedFactCount()) + " of " +
                     std::to_string(kernel.facts.size()) + " facts agree";
  if (!kernel.build.empty()) text += "; build " + kernel.build;
  if (!kernel.uuid.empty()) text += "; UUID " + kernel.uuid;
  return text;
}

// Name the kernel's own build (from _osversion/lgOSVersion) beside the profile's.
std::string withKernelBuild(std::string message, const KernelInfo& kernel) {
  const std::string anchor = "the kernel in memory (";
  const auto at = message.find(anchor);
  if (at != std::string::npos && !kernel.build.empty()) {
    message.insert(at + anchor.size(), "build " + kernel.build + ", ");
  }
  return message;
}

// Step 3: the derivers, in order; the first profile wins.
bool tryDerivers(const PhysicalMemory& memory, const ResolveOptions& options,
                 const std::optional<KernelFile>& kernelFile,
                 const std::map<std::string, std::uint64_t>& residentSymbols, Resolution& resolved,
                 std::string& reasons) {
  if (options.derivers.empty()) {
    resolved.steps.push_back({"derived profile", false, "no profile deriver is configured"});
    reasons = "no profile deriver is configured";
    return false;
  }
  const X86_64Translator translator(memory, resolved.kernel.dtb);
  const VirtualMemory kernelMemory(memory, translator);
  DerivationInput input{memory, resolved.kernel, kernelMemory,
                        kernelFile ? &kernelFile->symbols() : nullptr};
  input.kernelFilePath = kernelFile ? kernelFile->path() : std::string();
  input.residentSymbols = &residentSymbols;
  input.allowIncomplete = options.allowIncompleteDerivation;
  for (const auto& deriver : options.derivers) {
    std::string whyNot;
    std::optional<DerivedProfile> derived;
    try {
      derived = deriver->derive(input, whyNot);
    } catch (const AnalysisError& error) {
      whyNot = error.what();
    }
    if (derived) {
      resolved.steps.push_back(
          {"derived profile", true, deriver->name() + ": " + derived->profile.name});
      resolved.profileOrigin = "derived (" + deriver->name() + ")";
      resolved.profileSource = ProfileSource::Derived;
      resolved.profile = std::move(derived->profile);
      resolved.derivation = std::move(derived->report);
      for (auto& warning : derived->warnings) resolved.warnings.push_back(std::move(warning));
      return true;
    }
    if (whyNot.empty()) whyNot = "no profile";
    resolved.steps.push_back({"derived profile", false, deriver->name() + ": " + whyNot});
    reasons += (reasons.empty() ? "" : "; ") + deriver->name() + ": " + whyNot;
  }
  return false;
}

}  // namespace

Resolution resolveKernel(const PhysicalMemory& memory, const ResolveOptions& options) {
  const bool deriveOnly = options.profile == "derive";
  const bool explicitProfile = !options.profile.empty() && options.profile != "auto" && !deriveOnly;

  Resolution resolved;
  // A bad profile file is a usage error: report it before any scanning.
  if (explicitProfile) {
    resolved.profile = loadProfileFile(options.profile);
    resolved.profileOrigin = "--profile " + options.profile;
    resolved.profileSource = ProfileSource::Exact;
  }
  std::optional<KernelFile> kernelFile;
  if (!options.kernelFile.empty()) {
    kernelFile = KernelFile::load(options.kernelFile);
    resolved.kernelFileSymbols = kernelFile->symbols();
    resolved.steps.push_back({"kernel file", true,
                              options.kernelFile + " (UUID " +
                                  (kernelFile->uuid().empty() ? "none" : kernelFile->uuid()) +
                                  ", " + std::to_string(kernelFile->symbols().size()) +
                                  " symbols)"});
  }

  // 1. Profile-free location: what the memory itself proves. It alone searches
  //    for decoys; the second pass (with symbols) carries them over. Unless the
  //    profile is to be derived (which reads kernel memory through the DTB), the DTB
  //    search is left to the pass with symbols when the other facts prove the kernel.
  std::map<std::string, std::uint64_t> residentSymbols;
  std::vector<std::uint64_t> headers;
  try {
    resolved.kernel = locate(memory, options, kernelFile,
                             Pass{.decoyScan = options.decoyScan,
                                  .deferDtb = !deriveOnly,
                                  .residentSymbols = &residentSymbols,
                                  .headers = &headers});
  } catch (const AnalysisError& error) {
    resolved.steps.push_back({"locate", false, error.what()});
    throw;
  }
  KernelInfo found = resolved.kernel;
  resolved.steps.push_back({"locate", true, "without a profile: " + describeLocated(found)});

  // Location again with symbols: starts from the headers the first pass found (it
  // searches again only if none is proven), keeps the first pass's decoy search,
  // adds its cost. Without symbols it completes a first pass that deferred the DTB.
  auto relocate = [&](const std::map<std::string, std::uint64_t>* symbols) {
    KernelInfo info =
        locate(memory, options, kernelFile, Pass{.symbols = symbols, .knownHeaders = &headers});
    info.bytesTouched += found.bytesTouched;
    info.decoys = found.decoys;
    info.decoysSearched = found.decoysSearched;
    info.decoyScan = found.decoyScan;
    return info;
  };
  // Where no profile's symbols follow (derivation, no profile, a failed second
  // pass), the profile-free result needs its DTB after all.
  auto completeFirstPass = [&] {
    if (!found.dtbDeferred) return;
    try {
      found = relocate(nullptr);
      resolved.kernel = found;
      resolved.steps.push_back(
          {"locate", true,
           "with the DTB search the first pass left out: " + describeLocated(found)});
    } catch (const AnalysisError& error) {
      resolved.steps.push_back({"locate", false, error.what()});
      resolved.warnings.push_back(std::string("the kernel page table could not be found (") +
                                  error.what() + ")");
    }
  };

  // A kernel file of another build would relocate every symbol wrongly.
  if (kernelFile && !kernelFile->uuid().empty() && !found.uuid.empty() &&
      kernelFile->uuid() != found.uuid) {
    const std::string mismatch = "kernel file " + options.kernelFile + " has UUID " +
                                 kernelFile->uuid() + " but the kernel in memory has UUID " +
                                 found.uuid;
    if (!options.force) throw AnalysisError(mismatch + "; pass its own kernel file, or --force");
    resolved.warnings.push_back(mismatch + " (used anyway: --force)");
  }

  // 2. The exact profile: given, or chosen by UUID then banner; 3. else derived.
  if (explicitProfile) {
    resolved.steps.push_back(
        {"exact profile", true, resolved.profile->name + " from --profile " + options.profile});
  } else {
    std::string whyNone;
    if (deriveOnly) {
      resolved.steps.push_back({"exact profile", false, "skipped: the profile is to be derived"});
    } else {
      try {
        const ProfileRepository repository(options.profileDirectories.empty()
                                               ? ProfileRepository::defaultDirectories()
                                               : options.profileDirectories);
        auto selection = repository.select(found.uuid, found.banner);
        resolved.profile = std::move(selection.profile);
        resolved.profileOrigin = "auto (" + selection.matchedBy + ")";
        resolved.profileSource = ProfileSource::Exact;
        for (auto& warning : selection.warnings) resolved.warnings.push_back(std::move(warning));
        resolved.steps.push_back({"exact profile", true,
                                  resolved.profile->name + " matched by " + selection.matchedBy +
                                      " (" + selection.path + ")"});
      } catch (const AnalysisError& error) {
        resolved.steps.push_back({"exact profile", false, error.what()});
        whyNone = error.what();
      }
    }
    if (!resolved.profile) {
      completeFirstPass();
      std::string derivationReasons;
      if (tryDerivers(memory, options, kernelFile, residentSymbols, resolved, derivationReasons)) {
        if (!whyNone.empty()) {
          resolved.warnings.insert(resolved.warnings.begin(),
                                   "no profile matched (" + whyNone + ")");
        }
      } else {
        resolved.whyNoProfile =
            whyNone.empty() ? "the profile could not be derived (" + derivationReasons + ")"
                            : whyNone + "; no profile could be derived (" + derivationReasons + ")";
        resolved.warnings.push_back(resolved.whyNoProfile);
        // No profile: the kernel file's own symbols still add the symbol-based facts.
        if (kernelFile && !kernelFile->symbols().empty()) {
          try {
            resolved.kernel = relocate(&kernelFile->symbols());
            resolved.steps.push_back(
                {"re-locate", true,
                 "with the kernel file's symbols: " + describeLocated(resolved.kernel)});
          } catch (const AnalysisError& relocateError) {
            resolved.steps.push_back({"re-locate", false, relocateError.what()});
            resolved.warnings.push_back(
                "with the kernel file's symbols the kernel could not be "
                "proven again; using the result without them");
          }
        }
        return resolved;
      }
    }
  }

  if (!resolved.profile->uuid && resolved.profile->banner.empty()) {
    resolved.warnings.push_back(
        "profile " + resolved.profile->name +
        " carries neither a UUID nor a banner, so it cannot be checked against the kernel in "
        "memory" +
        (found.build.empty() ? std::string() : " (build " + found.build + ")") +
        "; if it is of another build the walks find nothing (re-import it with --banner)");
  }
  if (!resolved.profile->dropped.empty()) {
    resolved.warnings.push_back(
        "profile " + resolved.profile->name + ": " +
        std::to_string(resolved.profile->dropped.size()) +
        " member(s) or type(s) were dropped at import as unrepresentable (first: " +
        resolved.profile->dropped.begin()->first +
        "); a command that needs one is refused, naming it (profile show lists them)");
  }

  // 4. Refuse an exact profile of another build (names both builds), unless force.
  //    A derived profile was built from this very kernel: nothing to compare.
  if (resolved.profileSource == ProfileSource::Exact) {
    if (found.banner.empty() && found.uuid.empty()) {
      resolved.warnings.push_back("the kernel's banner and UUID could not be read, so profile " +
                                  resolved.profile->name + " could not be checked against it");
      resolved.steps.push_back({"profile check", false, resolved.warnings.back()});
    } else {
      std::string forced;
      try {
        forced = checkProfileMatches(*resolved.profile, found.uuid, found.banner, options.force);
      } catch (const AnalysisError& error) {
        const std::string message = withKernelBuild(error.what(), found);
        resolved.steps.push_back({"profile check", false, message});
        throw AnalysisError(message);
      }
      if (!forced.empty()) {
        resolved.warnings.push_back(forced);
        resolved.steps.push_back({"profile check", false, forced});
      } else {
        resolved.steps.push_back(
            {"profile check", true, resolved.profile->name + " fits the kernel's UUID/banner"});
      }
    }
  }

  // 5. Locate again with the profile's symbols: DTB via _IdlePML4 and the symbol facts.
  try {
    resolved.kernel = relocate(&resolved.profile->symbols);
    resolved.steps.push_back(
        {"re-locate", true, "with the profile's symbols: " + describeLocated(resolved.kernel)});
  } catch (const AnalysisError& error) {
    resolved.steps.push_back({"re-locate", false, error.what()});
    resolved.warnings.push_back(std::string("with the profile's symbols the kernel could not be "
                                            "proven again (") +
                                error.what() + "); using the profile-free result");
    completeFirstPass();
  }
  return resolved;
}

}  // namespace xnuscope::engine
