// The x86_64 page-table walker over fuzzed physical memory: the first 8 bytes pick
// CR3 and the next 8 a virtual address; the whole input is physical memory at 0.
#include <cstring>

#include "FuzzSupport.h"
#include "mmu/X86_64Translator.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xnuscope;
  if (size < 16) return 0;
  std::uint64_t cr3 = 0;
  std::uint64_t va = 0;
  std::memcpy(&cr3, data, 8);
  std::memcpy(&va, data + 8, 8);
  const fuzz::BufferMemory memory({data, size});
  fuzz::expectOnlyCleanErrors([&] {
    const X86_64Translator translator(memory, cr3 % (size + 4096));
    translator.translate(va);
    translator.translate(0xffffff8000200000ull);
    translator.translateUncached(va ^ 0xfff);
    std::size_t ranges = 0;
    translator.mappedRanges(
        0, ~0ull, [&](const MappedRange&) { return ++ranges < 4096; }, 4096);
    translator.mappedRanges(
        0xffff800000000000ull, ~0ull, [](const MappedRange&) { return true; }, 256);
  });
  return 0;
}
