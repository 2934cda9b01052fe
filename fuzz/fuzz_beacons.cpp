// Beacon pages (Layout A and Layout B) in fuzzed physical memory: scanner,
// classifier, both decoders and the snapshot assembly.
#include "FuzzSupport.h"
#include "beacon/BeaconReader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xnuscope;
  const fuzz::BufferMemory memory({data, size});
  fuzz::expectOnlyCleanErrors([&] { BeaconReader(memory).read(std::nullopt); });
  return 0;
}
