// Checks a dSYM's DWARF file (a Mach-O, thin or fat) against its own size before
// libdwarf reads it: libdwarf sizes its tables from the header's counts (ncmds,
// nsects, nsyms) and allocates before it compares them with the file, so a header
// that lies makes it ask for hundreds of GiB (found by fuzz_dwarf). Every load
// command, segment, section, relocation table and symbol table must lie inside the
// file (inside its slice, for a fat file).
#pragma once

#include <string>

namespace xnuscope {

// Throws InputError naming the first field that does not fit, or when the file is
// not a 64-bit Mach-O (a fat file: every slice must be one).
void checkDwarfFileBounds(const std::string& path);

}  // namespace xnuscope
