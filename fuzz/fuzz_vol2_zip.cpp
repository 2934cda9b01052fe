// Volatility 2 profile import: the zip container (libarchive) and everything inside
// (Python-literal vtypes, dsymutil symbol listing).
#include "FuzzSupport.h"
#include "profile/Vol2ProfileImporter.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xnuscope;
  fuzz::MemoryFile file({data, size});
  fuzz::expectOnlyCleanErrors([&] { importVol2Profile(file.path(), {}); });
  return 0;
}
