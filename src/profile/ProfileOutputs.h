// Writes an imported or generated profile the way the repository keeps them: the
// compact native profile <profilesDir>/<name>.json and the full symbol table
// <symbolsDir>/<name>.txt.xz. Both are deterministic, so regenerating is
// byte-identical (scripts/regen-profiles.sh checks that).
#pragma once

#include <string>

#include "profile/ImportedProfile.h"

namespace xnuscope {

struct WrittenProfile {
  std::string profilePath;
  std::string symbolsPath;  // empty when no symbols directory was given
};

// Creates the directories when missing. Throws InputError when they cannot be written.
WrittenProfile writeProfileOutputs(const ImportedProfile& imported, const std::string& profilesDir,
                                   const std::string& symbolsDir);

}  // namespace xnuscope
