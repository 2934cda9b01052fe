#include "profile/ProfileOutputs.h"

#include <filesystem>

#include "core/Error.h"
#include "profile/NativeProfileFormat.h"
#include "profile/ProfileFiles.h"
#include "profile/WalkerRequirements.h"

namespace xnuscope {
namespace {

void ensureDirectory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw InputError("cannot create output directory " + dir + ": " + ec.message());
}

}  // namespace

WrittenProfile writeProfileOutputs(const ImportedProfile& imported, const std::string& profilesDir,
                                   const std::string& symbolsDir) {
  if (imported.profile.name.empty()) {
    throw InputError("the profile has no name; pass --name NAME to say what to call it");
  }
  WrittenProfile written;
  ensureDirectory(profilesDir);
  written.profilePath =
      (std::filesystem::path(profilesDir) / (imported.profile.name + ".json")).string();
  writeWholeFile(written.profilePath, writeNativeProfile(compactForWalkers(imported.profile)));
  if (!symbolsDir.empty() && imported.symbolTable.size() != 0) {
    ensureDirectory(symbolsDir);
    written.symbolsPath =
        (std::filesystem::path(symbolsDir) / (imported.profile.name + ".txt.xz")).string();
    imported.symbolTable.save(written.symbolsPath, imported.profile.name);
  }
  return written;
}

}  // namespace xnuscope
