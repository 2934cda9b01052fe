// The locator's cost follows where the kernel can be, not the size of RAM: the same
// kernel in 256 MiB and in 64 GiB of (mostly zero) memory is found by reading the
// same bytes; a kernel slid outside the KASLR window is still found, by the wider
// scan that only then runs.
#include <gtest/gtest.h>

#include "kernel/KernelLocator.h"
#include "kernel/SyntheticKernel.h"

using namespace xnuscope;
using xnuscope::test::SyntheticKernel;
using xnuscope::test::SyntheticKernelSpec;

namespace {

// `inner`'s pages inside one backed range of `ramSize` bytes; pages `inner` lacks
// read as zeros (like the sparse tail of a large raw image).
class ZeroExtendedMemory final : public PhysicalMemory {
 public:
  ZeroExtendedMemory(const PhysicalMemory& inner, std::uint64_t ramSize)
      : inner_(inner), ranges_{PhysRange{0, ramSize}} {}

  std::size_t read(std::uint64_t pa, std::span<std::uint8_t> out) const override {
    std::size_t done = 0;
    while (done < out.size() && pa + done < ranges_[0].size) {
      const std::uint64_t at = pa + done;
      const std::size_t n = static_cast<std::size_t>(
          std::min<std::uint64_t>({out.size() - done, 4096 - (at & 0xfff), ranges_[0].size - at}));
      const auto chunk = out.subspan(done, n);
      if (inner_.read(at, chunk) != n) std::fill(chunk.begin(), chunk.end(), 0);
      done += n;
    }
    return done;
  }
  const std::vector<PhysRange>& ranges() const override { return ranges_; }
  std::string describe() const override { return "zero-extended test memory"; }
  std::string formatName() const override { return "test"; }

 private:
  const PhysicalMemory& inner_;
  std::vector<PhysRange> ranges_;
};

KernelInfo locateIn(const PhysicalMemory& memory) {
  KernelLocatorOptions options;
  options.decoyScan = KernelLocatorOptions::DecoyScan::Never;
  return KernelLocator(memory, options).locate();
}

}  // namespace

TEST(LocatorCost, BytesTouchedDoNotGrowWithRam) {
  SyntheticKernel kernel({});
  const ZeroExtendedMemory small(kernel.memory, 1ull << 30);
  const ZeroExtendedMemory large(kernel.memory, 64ull << 30);
  const KernelInfo inSmall = locateIn(small);
  const KernelInfo inLarge = locateIn(large);
  EXPECT_EQ(inSmall.kernelBasePa, kernel.headerPa);
  EXPECT_EQ(inLarge.kernelBasePa, kernel.headerPa);
  EXPECT_EQ(inLarge.dtb, kernel.idlePml4);
  EXPECT_EQ(inLarge.agreedFactCount(), inLarge.facts.size());
  EXPECT_GT(inSmall.bytesTouched, 0u);
  EXPECT_EQ(inLarge.bytesTouched, inSmall.bytesTouched);
  // The 2 MiB probes of the 1 GiB KASLR window are 512 × 32 bytes; the rest is the
  // kernel's own header, lowGlo, banner and page tables — far below 1 MiB.
  EXPECT_LT(inLarge.bytesTouched, 1u << 20);
}

TEST(LocatorCost, KernelOutsideTheKaslrWindowIsFoundByTheWiderScan) {
  SyntheticKernelSpec spec;
  spec.slide = 0x50000000;  // header at PA 0x50200000, past the 1 GiB window
  SyntheticKernel kernel(spec);
  const ZeroExtendedMemory memory(kernel.memory, 4ull << 30);
  const KernelInfo info = locateIn(memory);
  EXPECT_EQ(info.kernelBasePa, kernel.headerPa);
  EXPECT_EQ(info.kaslrSlide, spec.slide);
  // Window plus the rest of RAM at 2 MiB steps: more probes than the window alone.
  SyntheticKernel inWindow({});
  const ZeroExtendedMemory windowMemory(inWindow.memory, 4ull << 30);
  EXPECT_GT(info.bytesTouched, locateIn(windowMemory).bytesTouched);
}
