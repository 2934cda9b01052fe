// The Python-literal parser that reads Volatility 2 vtypes files.
#include "FuzzSupport.h"
#include "profile/PythonLiteral.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xnuscope;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::expectOnlyCleanErrors([&] { parsePythonAssignments(text, "fuzz.vtypes"); });
  fuzz::expectOnlyCleanErrors([&] { parsePythonLiteral(text, "fuzz literal"); });
  return 0;
}
