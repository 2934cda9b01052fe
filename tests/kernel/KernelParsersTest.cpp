// Unit tests for the hand-written kernel parsers: the Mach-O / kernel-collection
// header parser, the resident symbol table reader and the page-table finder, on
// the synthetic kernel and on damaged copies of it.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "kernel/KernelMachO.h"
#include "kernel/KernelPageTableFinder.h"
#include "kernel/KernelSymbolTable.h"
#include "kernel/PhysicalScanner.h"
#include "kernel/SyntheticKernel.h"
#include "mmu/X86_64Translator.h"

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

// Kernel memory through the static mapping (VA − kBase), as the locator reads it
// before a DTB is known.
KernelSymbolTable::KernelReader staticReader(const SyntheticKernel& kernel) {
  return [&kernel](std::uint64_t va, std::span<std::uint8_t> out) -> std::size_t {
    return va < SyntheticKernel::kBase ? 0 : kernel.memory.read(va - SyntheticKernel::kBase, out);
  };
}

TEST(KernelSymbolTableReader, ReadsTheResidentTableAsLinked) {
  const SyntheticKernel kernel({});
  const auto image = parseKernelMachO(headerBytes(kernel));
  ASSERT_TRUE(image);
  const auto table =
      KernelSymbolTable::readResident(*image, kernel.spec.slide, staticReader(kernel));
  ASSERT_TRUE(table);
  EXPECT_EQ(table->all(), kernel.symbols);  // unslid, every N_SECT | N_EXT entry
  EXPECT_EQ(table->find("_allproc"), SyntheticKernel::kData + 0x3000);
  EXPECT_FALSE(table->find("_nope"));
  // The wrong slide reads other bytes: not a plausible table.
  EXPECT_FALSE(
      KernelSymbolTable::readResident(*image, kernel.spec.slide + 0x200000, staticReader(kernel)));
}

TEST(KernelSymbolTableReader, RefusesAbsentOrImplausibleTables) {
  const SyntheticKernel absent({.residentSymbols = false});
  const auto image = parseKernelMachO(headerBytes(absent));
  ASSERT_TRUE(image);
  EXPECT_FALSE(KernelSymbolTable::readResident(*image, absent.spec.slide, staticReader(absent)));

  const SyntheticKernel kernel({});
  auto lying = *parseKernelMachO(headerBytes(kernel));
  lying.symtab->nsyms = 0x7fffffff;  // more than any kernel, and than __LINKEDIT holds
  EXPECT_FALSE(KernelSymbolTable::readResident(lying, kernel.spec.slide, staticReader(kernel)));
  auto outside = *parseKernelMachO(headerBytes(kernel));
  outside.symtab->stroff = 0x10;  // string table outside __LINKEDIT
  EXPECT_FALSE(KernelSymbolTable::readResident(outside, kernel.spec.slide, staticReader(kernel)));
  auto noLinkedit = *parseKernelMachO(headerBytes(kernel));
  std::erase_if(noLinkedit.segments,
                [](const MachOSegment& segment) { return segment.name == "__LINKEDIT"; });
  EXPECT_FALSE(
      KernelSymbolTable::readResident(noLinkedit, kernel.spec.slide, staticReader(kernel)));
}

TEST(KernelPageTableFinderTest, ReadsIdlePml4ThroughBootTablesOrStaticMapping) {
  const SyntheticKernel kernel({});
  const PhysicalScanner scanner(kernel.memory);
  const KernelPageTableFinder finder(scanner);
  const std::uint64_t idleVa = kernel.slideOf(kernel.symbols.at("_IdlePML4"));
  const auto viaBoot = finder.readIdlePml4(idleVa, kernel.paOf(SyntheticKernel::kHib));
  ASSERT_TRUE(viaBoot);
  EXPECT_EQ(viaBoot->dtb, kernel.idlePml4);  // the low 32 bits, page-aligned
  EXPECT_EQ(viaBoot->how, "_IdlePML4 via _BootPML4");
  const auto viaStatic = finder.readIdlePml4(idleVa, 0x7ff00000);  // no boot tables there
  ASSERT_TRUE(viaStatic);
  EXPECT_EQ(viaStatic->dtb, kernel.idlePml4);
  EXPECT_EQ(viaStatic->how, "_IdlePML4 via the static kernel mapping");
  // A variable holding 0, or one nowhere readable, gives nothing.
  EXPECT_FALSE(finder.readIdlePml4(kernel.slideOf(SyntheticKernel::kData + 0x2000), 0x7ff00000));
  EXPECT_FALSE(finder.readIdlePml4(0x1000, 0x7ff00000));
}

TEST(KernelPageTableFinderTest, RanksTheTableTheKernelDataNamesFirst) {
  SyntheticKernel kernel({});
  const PhysicalScanner scanner(kernel.memory);
  const KernelPageTableFinder finder(scanner);
  const std::uint64_t textVa = kernel.slideOf(SyntheticKernel::kText);
  const std::uint64_t bootPml4 = kernel.paOf(SyntheticKernel::kHib);
  const std::vector<PhysRange> data{
      PhysRange{kernel.paOf(SyntheticKernel::kData), SyntheticKernel::kDataSize}};
  // _IdlePML4 in __DATA names the idle PML4 (ID-mapped form); nothing names the boot one.
  EXPECT_EQ(finder.referencedByKernelData(data, textVa, kernel.headerPa),
            std::vector<std::uint64_t>{kernel.idlePml4});
  EXPECT_TRUE(finder.referencedByKernelData({}, textVa, kernel.headerPa).empty());
  // A user-half entry in the boot PML4 ranks it below the idle one even unnamed.
  kernel.memory.writeU64(bootPml4, 0x5000 | X86_64Translator::kPresent);
  const auto ranked = finder.rank({bootPml4, kernel.idlePml4}, data);
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(ranked[0].pa, kernel.idlePml4);
  EXPECT_TRUE(ranked[0].referencedByKernelData);
  EXPECT_EQ(ranked[1].pa, bootPml4);
  EXPECT_FALSE(ranked[1].referencedByKernelData);
  EXPECT_EQ(ranked[1].userHalfEntries, 1u);
  const auto unnamed = finder.rank({kernel.idlePml4, bootPml4}, {});
  EXPECT_EQ(unnamed[0].pa, kernel.idlePml4);  // fewer user-half entries
  EXPECT_TRUE(finder.rank({}, data).empty());
}

}  // namespace
}  // namespace xnuscope
