#include <gtest/gtest.h>

#include "core/DarwinBanner.h"

namespace xnuscope {
namespace {

constexpr const char* kHighSierra =
    "Darwin Kernel Version 17.7.0: Thu Jun 21 22:53:14 PDT 2018; "
    "root:xnu-4570.71.2~1/RELEASE_X86_64";

TEST(DarwinBanner, ParsesEveryPartOfARealBanner) {
  const auto banner = DarwinBanner::parse(kHighSierra);
  ASSERT_TRUE(banner.has_value());
  EXPECT_EQ(banner->major, 17);
  EXPECT_EQ(banner->minor, 7);
  EXPECT_EQ(banner->darwinVersion, "17.7.0");
  EXPECT_EQ(banner->xnuVersion, "xnu-4570.71.2");
  EXPECT_EQ(banner->xnuBuildTag, "xnu-4570.71.2~1");
}

TEST(DarwinBanner, TheBuildSuffixIsOnlyInTheTag) {
  // The locator and the profiles read the same xnu version from a banner: the
  // source release, without Apple's "~N" build suffix.
  EXPECT_EQ(xnuVersionFromBanner(kHighSierra), DarwinBanner::parse(kHighSierra)->xnuVersion);
  const auto noSuffix =
      DarwinBanner::parse("Darwin Kernel Version 13.4.0: x; root:xnu-2422.115.4/RELEASE_X86_64");
  ASSERT_TRUE(noSuffix.has_value());
  EXPECT_EQ(noSuffix->xnuVersion, "xnu-2422.115.4");
  EXPECT_EQ(noSuffix->xnuBuildTag, "xnu-2422.115.4");
  const auto longSuffix = DarwinBanner::parse(
      "Darwin Kernel Version 15.6.0: x; root:xnu-3248.60.11.1.2~2/RELEASE_X86_64");
  EXPECT_EQ(longSuffix->xnuVersion, "xnu-3248.60.11.1.2");
  EXPECT_EQ(longSuffix->xnuBuildTag, "xnu-3248.60.11.1.2~2");
}

TEST(DarwinBanner, RejectsWhatIsNotABanner) {
  EXPECT_FALSE(DarwinBanner::parse("").has_value());
  EXPECT_FALSE(DarwinBanner::parse("Darwin Kernel Version ").has_value());
  EXPECT_FALSE(DarwinBanner::parse("Darwin Kernel Version x.7").has_value());
  EXPECT_FALSE(DarwinBanner::parse("Darwin Kernel Version 17").has_value());
  EXPECT_FALSE(DarwinBanner::parse(" Darwin Kernel Version 17.7.0").has_value());
  const auto noXnu = DarwinBanner::parse("Darwin Kernel Version 99.1.0: decoy");
  ASSERT_TRUE(noXnu.has_value());
  EXPECT_EQ(noXnu->xnuVersion, "");
  EXPECT_EQ(xnuVersionFromBanner("root:xnu-/RELEASE"), "");
}

TEST(DarwinBanner, DarwinVersionIsFoundInsideLongerText) {
  EXPECT_EQ(darwinVersionFromBanner(std::string("junk ") + kHighSierra), "17.7.0");
  EXPECT_EQ(darwinVersionFromBanner("no banner here"), "");
}

TEST(DarwinBanner, NormalFormIgnoresWhitespaceRunsAndWhatFollowsNul) {
  const std::string spaced = "  Darwin Kernel Version 16.7.0: Wed Nov  2 \n";
  EXPECT_EQ(normalizeBanner(spaced), "Darwin Kernel Version 16.7.0: Wed Nov 2");
  EXPECT_EQ(normalizeBanner(std::string("abc\0def", 7)), "abc");
  EXPECT_EQ(normalizeBanner("   "), "");
}

}  // namespace
}  // namespace xnuscope
