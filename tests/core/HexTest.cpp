#include <gtest/gtest.h>

#include "core/Hex.h"

using namespace xnuscope;

TEST(Hex, FormatsLowercaseWithPrefix) {
  EXPECT_EQ(hex(0xffffff8000200000ull), "0xffffff8000200000");
  EXPECT_EQ(hex(0), "0x0");
}

TEST(Hex, ParsesHexDecimalAndSizes) {
  EXPECT_EQ(parseNumber("0x10"), 16u);
  EXPECT_EQ(parseNumber("10"), 10u);
  EXPECT_EQ(parseNumber("64M"), 64ull << 20);
  EXPECT_EQ(parseNumber("8G"), 8ull << 30);
  EXPECT_FALSE(parseNumber("0xzz"));
  EXPECT_FALSE(parseNumber(""));
  EXPECT_FALSE(parseNumber("12q"));
}
