// What an importer or generator produces: the profile with EVERY struct the source
// describes (compactForWalkers() trims it for xnu_profiles/), and the kernel's full
// symbol table (for symbols/).
#pragma once

#include <string>
#include <vector>

#include "profile/Profile.h"
#include "profile/ProfileSymbolTable.h"

namespace xnuscope {

struct ImportedProfile {
  Profile profile;
  ProfileSymbolTable symbolTable;
  // Members of the source that could not be used (garbage bit positions, unknown
  // type forms), one line each; the rest of the profile is still good.
  std::vector<std::string> warnings;
};

}  // namespace xnuscope
