// The C++ side of the fixture forge: images are generated once, cached by their
// arguments, and come back with a truth that matches the request.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "support/ForgeImages.h"
#include "support/TestPaths.h"

namespace xnuscope::test {
namespace {

TEST(ForgeImages, GeneratesAndCachesARealBuild) {
  ForgeRequest req;
  req.profile = "HighSierra_10.13.6_17G65";
  req.seed = 11;
  req.ram = "64M";
  req.procs = 8;
  const ForgedImage first = forgeImage(req);
  ASSERT_TRUE(std::filesystem::exists(first.image));
  ASSERT_TRUE(std::filesystem::exists(first.isfPath));
  EXPECT_EQ(first.truth["build"], "17G65");
  EXPECT_EQ(first.truth["nprocs"], 8);
  EXPECT_EQ(first.truth["processes"][first.truth["processes"].size() - 1]["pid"], 0);
  const auto mtime = std::filesystem::last_write_time(first.image);
  const ForgedImage again = forgeImage(req);
  EXPECT_EQ(again.image, first.image);
  EXPECT_EQ(std::filesystem::last_write_time(again.image), mtime);
}

TEST(ForgeImages, DifferentArgumentsGiveDifferentImages) {
  ForgeRequest a;
  a.ram = "64M";
  a.procs = 6;
  ForgeRequest b = a;
  b.extraArgs = {"--slide", "0x400000"};
  const ForgedImage ia = forgeImage(a);
  const ForgedImage ib = forgeImage(b);
  EXPECT_NE(ia.image, ib.image);
  EXPECT_EQ(ib.truth["kaslr_slide"], "0x400000");
}

// EXPECT_NONFATAL_FAILURE cannot see locals, so the request is built here.
void forgeUnknownBuild() {
  ForgeRequest bad;
  bad.profile = "NoSuchBuild_10.99.1_99Z99";
  bad.ram = "64M";
  try {
    forgeImage(bad);
  } catch (const std::runtime_error&) {
  }
}

TEST(ForgeImages, ForgeErrorsBecomeTestFailures) {
  EXPECT_NONFATAL_FAILURE(forgeUnknownBuild(), "fixture forge failed");
}

TEST(ForgeImages, TheSixRealBuildsShipWithTheProject) {
  const auto builds = realBuilds();
  ASSERT_EQ(builds.size(), 6u);
  for (const auto& b : builds) {
    EXPECT_TRUE(std::filesystem::exists(sourceDir() + "/xnu_profiles/" + b + ".json")) << b;
    EXPECT_TRUE(std::filesystem::exists(sourceDir() + "/symbols/" + b + ".txt.xz")) << b;
  }
}

}  // namespace
}  // namespace xnuscope::test
