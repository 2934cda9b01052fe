// Fixture of the optional cross-check against the real Volatility 2 mac profile
// zips in XNUSCOPE_REAL_XNU (../shared/real-xnu: development data, not part of the
// repository). Run with `ctest -L realxnu`; without the folder each test reports
// itself skipped, so a missing folder is never mistaken for a pass.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>

#include "support/TestPaths.h"

namespace xnuscope {

class RealVol2Zips : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::is_directory(test::realXnuDir()))
      GTEST_SKIP() << "optional cross-check: " << test::realXnuDir()
                   << " (the real Volatility 2 zips) is not present";
  }
};

}  // namespace xnuscope
