// Unit tests for the hand-written kernel parsers: the Mach-O / kernel-collection
// header parser and the page-table finder, on the synthetic kernel and on damaged
// copies of its header.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "kernel/KernelMachO.h"
#include "kernel/KernelPageTableFinder.h"
#include "kernel/PhysicalScanner.h"
#include "kernel/SyntheticKernel.h"

namespace xnuscope {
namespace {

using test::SyntheticKernel;

std::vector<std::uint8_t> headerBytes(const SyntheticKernel& kernel, std::size_t size = 0x2000) {
  std::vector<std::uint8_t> bytes(size);
  kernel.memory.read(kernel.headerPa, bytes);
  return bytes;
}

std::uint32_t u32At(const std::vector<std::uint8_t>& bytes, std::size_t at) {
  std::uint32_t value = 0;
  std::memcpy(&value, bytes.data() + at, 4);
  return value;
}
void setU32(std::vector<std::uint8_t>& bytes, std::size_t at, std::uint32_t value) {
  std::memcpy(bytes.data() + at, &value, 4);
}

TEST(KernelMachOParser, ReadsSegmentsUuidAndSymtab) {
  const SyntheticKernel kernel({});
  const auto bytes = headerBytes(kernel);
  EXPECT_TRUE(looksLikeKernelHeader(bytes));
  std::string whyNot;
  const auto image = parseKernelMachO(bytes, &whyNot);
  ASSERT_TRUE(image) << whyNot;
  EXPECT_EQ(image->fileType, kMachOExecute);
  ASSERT_NE(image->segment("__TEXT"), nullptr);
  EXPECT_EQ(image->segment("__TEXT")->vmaddr, SyntheticKernel::kText);
  ASSERT_NE(image->segment("__DATA"), nullptr);
  EXPECT_EQ(image->segment("__DATA")->vmaddr, SyntheticKernel::kData);
  EXPECT_EQ(image->segment("__NOPE"), nullptr);
  EXPECT_EQ(image->uuidString(), "11223344-5566-7788-99AA-BBCCDDEEF001");
  EXPECT_TRUE(image->symtab.has_value());
  const auto extent = kernelHeaderExtent(std::span(bytes).first(32));
  ASSERT_TRUE(extent);
  EXPECT_EQ(*extent, 32 + image->sizeOfCommands);
}

TEST(KernelMachOParser, RefusesTruncatedAndLyingHeaders) {
  const SyntheticKernel kernel({});
  const auto good = headerBytes(kernel);
  std::string whyNot;
  // Cut inside the load commands.
  EXPECT_FALSE(parseKernelMachO(std::span(good).first(48), &whyNot));
  EXPECT_FALSE(whyNot.empty());
  // sizeofcmds larger than the bytes given.
  auto lying = good;
  setU32(lying, 20, 0x7fffffff);
  EXPECT_FALSE(parseKernelMachO(lying, &whyNot));
  // A load command of size 0 (LIEF read the first command ncmds times) or one not a
  // multiple of 8 is refused, naming it.
  const std::size_t goodSegments = parseKernelMachO(good)->segments.size();
  auto zeroSize = good;
  setU32(zeroSize, 32 + 4, 0);
  EXPECT_FALSE(parseKernelMachO(zeroSize, &whyNot));
  EXPECT_NE(whyNot.find("load command 0 has size 0"), std::string::npos) << whyNot;
  auto oddSize = good;
  setU32(oddSize, 32 + 4, u32At(good, 32 + 4) + 4);
  EXPECT_FALSE(parseKernelMachO(oddSize, &whyNot));
  // Not a Mach-O at all.
  std::vector<std::uint8_t> noise(4096, 0xa5);
  EXPECT_FALSE(looksLikeKernelHeader(noise));
  EXPECT_FALSE(parseKernelMachO(noise, &whyNot));
  // More commands declared than sizeofcmds holds.
  auto manyCommands = good;
  setU32(manyCommands, 16, u32At(good, 16) + 1000);
  EXPECT_FALSE(parseKernelMachO(manyCommands, &whyNot));
  EXPECT_GE(goodSegments, 4u);
  // ncmds beyond any real kernel: not even a header extent.
  auto absurd = good;
  setU32(absurd, 16, 0x7fffffff);
  EXPECT_FALSE(kernelHeaderExtent(std::span(absurd).first(32)));
}

TEST(KernelPageTableFinderTest, IdlePml4MapsTheKernelAndScanFindsIt) {
  const SyntheticKernel kernel({.residentSymbols = false});
  const PhysicalScanner scanner(kernel.memory);
  const KernelPageTableFinder finder(scanner);
  const std::uint64_t textVa = SyntheticKernel::kText + kernel.spec.slide;
  EXPECT_TRUE(finder.mapsTo(kernel.idlePml4, textVa, kernel.headerPa));
  EXPECT_FALSE(finder.mapsTo(kernel.idlePml4, textVa, kernel.headerPa + 0x1000));
  EXPECT_FALSE(finder.mapsTo(kernel.headerPa, textVa, kernel.headerPa));  // not a PML4
  const auto candidates = finder.scan(0, 0x1000000, textVa, kernel.headerPa);
  EXPECT_NE(std::find(candidates.begin(), candidates.end(), kernel.idlePml4), candidates.end());
  const auto ranked = finder.rank(candidates, {});
  ASSERT_FALSE(ranked.empty());
  // A scan over memory with no page tables finds nothing, and stops at its bound.
  EXPECT_TRUE(finder.scan(0x1000000, 0x1000000, textVa, kernel.headerPa).empty());
  EXPECT_LE(finder.scan(0, 0x1000000, textVa, kernel.headerPa, 1).size(), 1u);
}

}  // namespace
}  // namespace xnuscope
