#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "core/MachO.h"

namespace xnuscope {
namespace {

TEST(MachO, UuidTextIsUpperCase8_4_4_4_12) {
  const std::array<std::uint8_t, 16> uuid{0xf7, 0x28, 0x8d, 0x96, 0x69, 0xb3, 0xd6, 0xa7,
                                          0xf2, 0x51, 0x68, 0xd6, 0x39, 0xb5, 0x09, 0x4b};
  EXPECT_EQ(macho::uuidText(uuid), "F7288D96-69B3-D6A7-F251-68D639B5094B");
  EXPECT_EQ(macho::uuidText(std::span<const std::uint8_t>(uuid).first(15)), "");
}

TEST(MachO, OnlySectionDefinitionsAreAddressSymbols) {
  EXPECT_TRUE(macho::isAddressSymbol(0x0e));   // N_SECT
  EXPECT_TRUE(macho::isAddressSymbol(0x0f));   // N_SECT | N_EXT
  EXPECT_TRUE(macho::isAddressSymbol(0x1e));   // N_SECT | N_PEXT
  EXPECT_FALSE(macho::isAddressSymbol(0x02));  // N_ABS: a constant, not slid
  EXPECT_FALSE(macho::isAddressSymbol(0x03));
  EXPECT_FALSE(macho::isAddressSymbol(0x01));  // undefined external
  EXPECT_FALSE(macho::isAddressSymbol(0x24));  // N_FUN stab
  EXPECT_FALSE(macho::isAddressSymbol(0x2e));  // stab bits with N_SECT-looking low bits
  EXPECT_TRUE(macho::isExternalSymbol(0x0f));
  EXPECT_FALSE(macho::isExternalSymbol(0x1f));  // private external
  EXPECT_FALSE(macho::isExternalSymbol(0x0e));
}

TEST(MachO, ExternalDefinitionWinsOverLocalWhateverTheOrder) {
  std::map<std::string, std::uint64_t> symbols;
  macho::collectAddressSymbol(symbols, "_a", 0x0e, 1);  // local first
  macho::collectAddressSymbol(symbols, "_a", 0x0f, 2);  // external replaces it
  macho::collectAddressSymbol(symbols, "_b", 0x0f, 3);  // external first
  macho::collectAddressSymbol(symbols, "_b", 0x0e, 4);  // local does not replace it
  macho::collectAddressSymbol(symbols, "_c", 0x02, 5);  // N_ABS: left out
  macho::collectAddressSymbol(symbols, "", 0x0f, 6);    // no name: left out
  EXPECT_EQ(symbols, (std::map<std::string, std::uint64_t>{{"_a", 2}, {"_b", 3}}));
}

std::vector<std::uint8_t> header(std::uint32_t magic, std::uint32_t cpu, std::uint32_t fileType) {
  std::vector<std::uint8_t> bytes(32, 0);
  for (int i = 0; i < 4; ++i) {
    bytes[i] = static_cast<std::uint8_t>(magic >> (8 * i));
    bytes[4 + i] = static_cast<std::uint8_t>(cpu >> (8 * i));
    bytes[12 + i] = static_cast<std::uint8_t>(fileType >> (8 * i));
  }
  return bytes;
}

TEST(MachO, DescribesHeadersByFileTypeAndCpu) {
  EXPECT_EQ(macho::describeHeader(header(0xfeedfacf, 0x01000007, 8)), "MH_BUNDLE (x86_64)");
  EXPECT_EQ(macho::describeHeader(header(0xfeedfacf, 0x0100000c, 6)), "MH_DYLIB (arm64)");
  EXPECT_EQ(macho::describeHeader(header(0xfeedface, 7, 2)), "MH_EXECUTE (i386)");
  EXPECT_EQ(macho::describeHeader(header(0xfeedfacf, 0x01000007, 0xc)), "MH_FILESET (x86_64)");
  EXPECT_EQ(macho::describeHeader(header(0xfeedfacf, 0x12, 0x40)), "filetype 64 (0x12)");
  // FAT_MAGIC is stored big-endian: both byte orders name a fat header.
  EXPECT_EQ(macho::describeHeader(header(0xbebafeca, 0, 0)), "fat (universal) header");
  EXPECT_EQ(macho::describeHeader(header(0xcafebabe, 0, 0)), "fat (universal) header");
  // Not a Mach-O, or too short to say.
  EXPECT_EQ(macho::describeHeader(header(0x464c457f, 0x01000007, 2)), std::nullopt);
  const auto executable = header(0xfeedfacf, 0x01000007, 2);
  EXPECT_EQ(macho::describeHeader(std::span(executable).first(15)), std::nullopt);
  EXPECT_EQ(macho::describeHeader({}), std::nullopt);
}

}  // namespace
}  // namespace xnuscope
