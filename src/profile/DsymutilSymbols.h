// Parser for `dsymutil -s` output, the symbol half of a Volatility 2 mac profile:
//   [     2] 00000029 0f (     SECT EXT) 01     0000   ffffff800026b960 '_Assert'
// Only section-defined entries (class containing SECT) are symbols with addresses;
// debug-map entries (N_SO, N_FUN, ...) and undefined ones are skipped.
#pragma once

#include <string>
#include <vector>

#include "profile/ProfileSymbolTable.h"

namespace xnuscope {

struct DsymutilListing {
  std::string header;  // "Symbol table for: '...kernel' (x86_64)", or empty
  std::vector<ProfileSymbol> symbols;
};

// Throws InputError naming `origin` and the line when a SECT line is malformed or
// the text has no symbol lines at all.
DsymutilListing parseDsymutilSymbols(const std::string& text, const std::string& origin);

}  // namespace xnuscope
