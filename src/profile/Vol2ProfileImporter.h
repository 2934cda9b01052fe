// Imports a Volatility 2 mac profile zip (e.g. HighSierra_10.13.6_17G65.zip):
// `*.vtypes` (struct layouts, a Python literal read by PythonLiteral — never
// evaluated) and `*.symbol.dsymutil` (`dsymutil -s` symbol table).
#pragma once

#include <string>

#include "profile/ImportedProfile.h"

namespace xnuscope {

struct Vol2ImportOptions {
  // The zips carry no banner; without one, selection can only use --profile PATH.
  std::string banner;
  // Defaults from the zip name "<Codename>_<macOS>_<build>.zip" (build upper-cased).
  std::string name;
};

// Throws InputError when the file is not a Volatility 2 mac profile zip or its
// members are malformed.
ImportedProfile importVol2Profile(const std::string& zipPath, const Vol2ImportOptions& options);

}  // namespace xnuscope
