#include "cli/KernelResolver.h"

#include "cli/Session.h"
#include "core/Error.h"
#include "kernel/KernelFile.h"
#include "profile/ProfileRepository.h"

namespace xnuscope::cli {
namespace {

KernelInfo locate(Session& session, KernelLocatorOptions::DecoyScan decoyScan,
                  const std::map<std::string, std::uint64_t>* symbols,
                  const std::optional<KernelFile>& kernelFile) {
  KernelLocatorOptions locatorOptions;
  locatorOptions.unslidSymbols = symbols;
  // The kernel file's unslid segment starts: a kernel collection slides each one.
  if (kernelFile) locatorOptions.unslidSegments = &kernelFile->segments();
  locatorOptions.dtb = session.options().dtb;
  locatorOptions.decoyScan = decoyScan;
  locatorOptions.progress = session.progress();
  KernelInfo info = KernelLocator(session.physicalMemory(), locatorOptions).locate();
  session.endProgress();
  return info;
}

}  // namespace

ResolvedKernel resolveKernel(Session& session, const KernelResolverOptions& options) {
  const GlobalOptions& global = session.options();
  const bool explicitProfile = !global.profile.empty() && global.profile != "auto";

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
  const KernelInfo found = locate(session, options.decoyScan, nullptr, kernelFile);
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

  // 2. Choose the profile.
  if (!explicitProfile) {
    try {
      const ProfileRepository repository(ProfileRepository::defaultDirectories());
      auto selection = repository.select(found.uuid, found.banner);
      resolved.profile = std::move(selection.entry.profile);
      resolved.profileSource = "auto (" + selection.matchedBy + ")";
    } catch (const AnalysisError& error) {
      if (options.requireProfile) throw;
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
