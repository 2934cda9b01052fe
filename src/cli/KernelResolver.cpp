#include "cli/KernelResolver.h"

#include "cli/Session.h"
#include "core/Error.h"
#include "derive/ProfileDeriver.h"
#include "kernel/KernelFile.h"
#include "mmu/VirtualMemory.h"
#include "mmu/X86_64Translator.h"
#include "profile/ProfileRepository.h"

namespace xnuscope::cli {
namespace {

KernelInfo locate(Session& session, KernelLocatorOptions::DecoyScan decoyScan,
                  const std::map<std::string, std::uint64_t>* symbols,
                  const std::optional<KernelFile>& kernelFile,
                  std::map<std::string, std::uint64_t>* residentSymbols = nullptr) {
  KernelLocatorOptions locatorOptions;
  locatorOptions.unslidSymbols = symbols;
  // The kernel file's unslid segment starts: a kernel collection slides each one.
  if (kernelFile) locatorOptions.unslidSegments = &kernelFile->segments();
  locatorOptions.dtb = session.options().dtb;
  locatorOptions.decoyScan = decoyScan;
  locatorOptions.progress = session.progress();
  KernelLocator locator(session.physicalMemory(), locatorOptions);
  KernelInfo info = locator.locate();
  session.endProgress();
  if (residentSymbols) *residentSymbols = locator.symbols().all();
  return info;
}

// The derived source of the chain: symbols from the kernel file (UUID-checked by
// the caller) or the resident LC_SYMTAB, then deriveProfile. Throws AnalysisError
// naming what could not be derived and why.
void deriveInto(Session& session, ResolvedKernel& resolved,
                const std::optional<KernelFile>& kernelFile,
                const std::map<std::string, std::uint64_t>& residentSymbols, bool allowIncomplete) {
  const KernelInfo& kernel = resolved.kernel;
  derive::DerivationInputs inputs;
  inputs.physical = &session.physicalMemory();
  X86_64Translator translator(session.physicalMemory(), kernel.dtb);
  VirtualMemory memory(session.physicalMemory(), translator);
  inputs.kernelMemory = &memory;
  inputs.kernel = &kernel;
  if (kernelFile && !kernelFile->symbols().empty()) {
    inputs.symbols = kernelFile->symbols();
    inputs.symbolSource = "kernel file " + kernelFile->path();
  } else if (!residentSymbols.empty()) {
    inputs.symbols = residentSymbols;
    inputs.symbolSource = "resident LC_SYMTAB";
  }
  derive::DerivationResult derived = derive::deriveProfile(inputs);
  std::string missing;
  for (const auto& name : derive::requiredDerivedFields()) {
    const auto* field = derived.report.find(name);
    if (field && field->derived()) continue;
    if (!missing.empty()) missing += "; ";
    missing += name + " (" + (field ? field->underivable : std::string("not reached")) + ")";
  }
  if (!missing.empty()) {
    std::string message =
        "derivation from the kernel in memory (symbols: " + derived.report.symbolSource +
        ") could not find " + missing +
        " [all underivable fields: " + derived.report.underivableSummary() + "]";
    if (inputs.symbols.empty()) {
      message +=
          "; with the guest's kernel file (--kernel /System/Library/Kernels/kernel) the accessors' "
          "code "
          "would tell";
    }
    if (!allowIncomplete) throw AnalysisError(message);
    resolved.warnings.push_back(message);
  }
  resolved.profile = std::move(derived.profile);
  resolved.profileSource = "derived";
  resolved.warnings.push_back(
      "derived the profile from the kernel in memory: " +
      std::to_string(derived.report.derivedCount()) +
      " fields from its code and data (symbols: " + derived.report.symbolSource + ")");
  resolved.derivation = std::move(derived.report);
}

}  // namespace

ResolvedKernel resolveKernel(Session& session, const KernelResolverOptions& options) {
  const GlobalOptions& global = session.options();
  const bool forceDerive = options.forceDerive || global.profile == "derive";
  const bool explicitProfile = !global.profile.empty() && global.profile != "auto" && !forceDerive;

  ResolvedKernel resolved;
  // A bad --profile file is a usage error: report it before any scanning.
  if (explicitProfile) {
    resolved.profile = loadProfileFile(global.profile);
    resolved.profileSource = "--profile " + global.profile;
  }
  std::optional<KernelFile> kernelFile;
  if (!global.kernel.empty()) kernelFile = KernelFile::load(global.kernel);

  // 1. Profile-free location: what the memory itself proves.
  //    It alone searches for decoys; the second pass (with symbols) carries them over.
  std::map<std::string, std::uint64_t> residentSymbols;
  const KernelInfo found =
      locate(session, options.decoyScan, nullptr, kernelFile, &residentSymbols);
  resolved.kernel = found;

  // Location again with symbols: keeps the first pass's decoy search and adds its cost.
  auto relocate = [&](const std::map<std::string, std::uint64_t>* symbols) {
    KernelInfo info = locate(session, KernelLocatorOptions::DecoyScan::Never, symbols, kernelFile);
    info.bytesTouched += found.bytesTouched;
    info.decoys = found.decoys;
    info.decoysSearched = found.decoysSearched;
    info.decoyScan = found.decoyScan;
    return info;
  };

  // A kernel file of another build would relocate every symbol wrongly.
  if (kernelFile && !kernelFile->uuid().empty() && !found.uuid.empty() &&
      kernelFile->uuid() != found.uuid) {
    const std::string mismatch = "kernel file " + global.kernel + " has UUID " +
                                 kernelFile->uuid() + " but the kernel in memory has UUID " +
                                 found.uuid;
    if (!global.force) throw AnalysisError(mismatch + "; pass its own kernel file, or --force");
    resolved.warnings.push_back(mismatch + " (used anyway: --force)");
  }

  // 2. Choose the profile: exact (UUID, banner) → derived → (the caller's) beacons.
  if (forceDerive) {
    deriveInto(session, resolved, kernelFile, residentSymbols, options.allowIncompleteDerivation);
  } else if (!explicitProfile) {
    try {
      const ProfileRepository repository(ProfileRepository::defaultDirectories());
      auto selection = repository.select(found.uuid, found.banner);
      resolved.profile = std::move(selection.entry.profile);
      resolved.profileSource = "auto (" + selection.matchedBy + ")";
    } catch (const AnalysisError& noMatch) {
      std::string why = noMatch.what();
      try {
        deriveInto(session, resolved, kernelFile, residentSymbols,
                   options.allowIncompleteDerivation);
        resolved.warnings.insert(resolved.warnings.begin(), "no profile matched (" + why + ")");
      } catch (const AnalysisError& notDerived) {
        why += "; " + std::string(notDerived.what());
      }
      if (!resolved.profile) {
        const AnalysisError error(why);
        if (options.requireProfile) throw error;
        resolved.warnings.push_back(error.what());
        // No profile: the kernel file's own symbols still add the symbol-based facts.
        if (kernelFile && !kernelFile->symbols().empty()) {
          try {
            resolved.kernel = relocate(&kernelFile->symbols());
          } catch (const AnalysisError&) {
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

  // 3. Refuse a profile of another build (names both builds), unless --force.
  if (found.banner.empty() && found.uuid.empty()) {
    resolved.warnings.push_back("the kernel's banner and UUID could not be read, so profile " +
                                resolved.profile->name + " could not be checked against it");
  } else {
    std::string forced;
    try {
      forced = checkProfileMatches(*resolved.profile, found.uuid, found.banner, global.force);
    } catch (const AnalysisError& error) {
      // Name the kernel's own build (from _osversion/lgOSVersion) beside the profile's.
      std::string message = error.what();
      const std::string anchor = "the kernel in memory (";
      const auto at = message.find(anchor);
      if (at != std::string::npos && !found.build.empty()) {
        message.insert(at + anchor.size(), "build " + found.build + ", ");
      }
      throw AnalysisError(message);
    }
    if (!forced.empty()) resolved.warnings.push_back(forced);
  }

  // 4. Locate again with the profile's symbols: DTB via _IdlePML4 and the symbol facts.
  try {
    resolved.kernel = relocate(&resolved.profile->symbols);
  } catch (const AnalysisError& error) {
    resolved.warnings.push_back(std::string("with the profile's symbols the kernel could not be "
                                            "proven again (") +
                                error.what() + "); using the profile-free result");
  }
  return resolved;
}

}  // namespace xnuscope::cli
