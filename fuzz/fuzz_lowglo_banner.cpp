// lowGlo page parsing and the one kernel banner parser (core/DarwinBanner).
#include <string>

#include "FuzzSupport.h"
#include "core/DarwinBanner.h"
#include "kernel/LowGlobals.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xnuscope;
  const std::span<const std::uint8_t> bytes(data, size);
  if (size >= 16) LowGlobals::matchesSignature(bytes.first(16));
  LowGlobals::parse(0x2e51000, bytes);
  const std::string text(reinterpret_cast<const char*>(data), size);
  DarwinBanner::parse(text);
  xnuVersionFromBanner(text);
  darwinVersionFromBanner(text);
  normalizeBanner(text);
  return 0;
}
