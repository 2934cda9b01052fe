// The KDK profile generator's DWARF reader (libdwarf under our type walk): the fuzz
// input is a dSYM's DWARF file (a Mach-O with __DWARF sections), read by path as
// `profile generate --dsym` does; no kernel file, so only the layouts are built.
#include "FuzzSupport.h"
#include "profile/DwarfProfileGenerator.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xnuscope;
  const fuzz::MemoryFile file(std::span<const std::uint8_t>(data, size));
  fuzz::expectOnlyCleanErrors(
      [&] { generateProfileFromDwarf(file.path(), "", {.name = "fuzz", .banner = ""}); });
  return 0;
}
