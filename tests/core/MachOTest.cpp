#include <gtest/gtest.h>

#include <array>

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

}  // namespace
}  // namespace xnuscope
