// Generates a profile from a Kernel Debug Kit: struct layouts from the kernel's
// dSYM (DWARF, read with libdwarf — Debian's 20210528 opens Mach-O dSYMs itself)
// and symbols + LC_UUID from the kernel Mach-O (LIEF). Typedefs and cv-qualifiers
// are resolved to the underlying type, anonymous structs are named
// "__unnamed_<DIE offset>", as the Volatility converters do.
#pragma once

#include <string>

#include "profile/ImportedProfile.h"

namespace xnuscope {

struct DwarfGenerateOptions {
  std::string name;    // profile name; default: the kernel file name
  std::string banner;  // default: empty (a KDK kernel's banner is in its __const; not read yet)
};

// `dsymPath`: the .dSYM bundle or the DWARF file inside it. `kernelPath`: the
// kernel Mach-O (may be empty: then no symbols or UUID). Throws InputError.
ImportedProfile generateProfileFromDwarf(const std::string& dsymPath, const std::string& kernelPath,
                                         const DwarfGenerateOptions& options);

}  // namespace xnuscope
