// The proc / task, vm_map, kext and message-buffer walkers over fuzzed kernel memory.
// The layout is a real one (xnu_profiles/HighSierra_10.13.6_17G65.json); every
// kernel virtual address maps into the fuzz input (modulo its size), so the fuzzer
// controls every byte a walker reads: lists, pointers, counts, strings.
#include "FuzzSupport.h"
#include "kernel/KernelInfo.h"
#include "mmu/AddressTranslator.h"
#include "mmu/VirtualMemory.h"
#include "profile/NativeProfileFormat.h"
#include "profile/ProfileFiles.h"
#include "xnu/KextWalker.h"
#include "xnu/MessageBufferReader.h"
#include "xnu/ProcWalker.h"
#include "xnu/VmMapWalker.h"
#include "xnu/XnuKernel.h"
#include "xnu/XnuLayout.h"

namespace {

using namespace xnuscope;

// Kernel VAs wrap into the input; user VAs are unmapped.
class WrappingTranslator final : public AddressTranslator {
 public:
  explicit WrappingTranslator(std::uint64_t size) : size_(size) {}
  std::optional<Translation> translate(std::uint64_t va) const override {
    if (va < kXnuKernelAddressMin || size_ < 4096) return std::nullopt;
    const std::uint64_t pages = size_ / 4096;
    const std::uint64_t page = ((va - kXnuKernelAddressMin) / 4096) % pages;
    return Translation{page * 4096 + va % 4096, 4096, true, false, false};
  }
  std::size_t mappedRanges(std::uint64_t, std::uint64_t, const RangeCallback&,
                           std::size_t) const override {
    return 0;
  }
  void clearCache() const override {}
  TranslationCacheStats cacheStats() const override { return {}; }
  std::uint64_t rootTable() const override { return 0; }
  std::string architecture() const override { return "fuzz"; }

 private:
  std::uint64_t size_;
};

const XnuLayout& layout() {
  static const XnuLayout value = XnuLayout::fromProfile(readNativeProfile(
      readWholeFile(XNUSCOPE_SOURCE_DIR "/xnu_profiles/HighSierra_10.13.6_17G65.json", "profile"),
      "HighSierra_10.13.6_17G65.json"));
  return value;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4096) return 0;
  const fuzz::BufferMemory physical({data, size});
  const WrappingTranslator translator(size);
  const VirtualMemory memory(physical, translator);
  KernelInfo info;
  info.kaslrSlide = 0x2400000;
  info.kernelBaseVa = 0xffffff8002600000ull;
  const XnuKernel kernel(memory, layout(), info);
  fuzz::expectOnlyCleanErrors([&] {
    const ProcessListing processes = ProcWalker(kernel, {.maxProcesses = 512}).walk();
    const VmMapWalker maps(kernel, {.maxEntries = 4096});
    std::size_t walked = 0;
    for (const ProcessRecord& process : processes.processes) {
      if (process.map != 0) maps.walk(process.map);
      if (++walked == 4) break;
    }
    maps.walk(kXnuKernelAddressMin + 0x1000);
  });
  fuzz::expectOnlyCleanErrors([&] { KextWalker(kernel).walk(); });
  fuzz::expectOnlyCleanErrors([&] { MessageBufferReader(kernel).read(); });
  return 0;
}
