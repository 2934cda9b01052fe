// Image format detection and the raw / ELF core (with QEMU CPU notes) / LiME readers:
// the fuzz input is the whole image file.
#include <array>

#include "FuzzSupport.h"
#include "physmem/ImageFormat.h"
#include "physmem/ImageOpener.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xnuscope;
  const std::span<const std::uint8_t> bytes(data, size);
  detectImageFormat(bytes.first(std::min<std::size_t>(size, 4096)), size);
  hexPreview(bytes);
  fuzz::MemoryFile file(bytes);
  fuzz::expectOnlyCleanErrors([&] {
    const auto memory = openPhysicalMemory(file.path());
    std::array<std::uint8_t, 64> buffer{};
    std::size_t visited = 0;
    for (const PhysRange& range : memory->ranges()) {
      memory->read(range.start, buffer);
      memory->read(range.end() - 1, buffer);  // reads across the end must clip
      if (++visited == 64) break;
    }
    memory->read(~0ull - 8, buffer);
    memory->cpus();
    memory->backedBytes();
    memory->describe();
  });
  return 0;
}
