// Compares two profiles through their native text and reports the first differing
// line, instead of gtest's byte dump of two objects.
#pragma once

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "profile/NativeProfileFormat.h"

namespace xnuscope::test {

inline ::testing::AssertionResult sameProfile(const Profile& actual, const Profile& expected) {
  if (actual == expected) return ::testing::AssertionSuccess();
  std::istringstream a(writeNativeProfile(actual)), e(writeNativeProfile(expected));
  std::string lineA, lineE;
  for (int line = 1;; ++line) {
    const bool moreA = static_cast<bool>(std::getline(a, lineA));
    const bool moreE = static_cast<bool>(std::getline(e, lineE));
    if (!moreA && !moreE) break;
    if (lineA != lineE || moreA != moreE) {
      return ::testing::AssertionFailure()
             << "profiles differ at line " << line << ":\n  actual:   " << (moreA ? lineA : "<end>")
             << "\n  expected: " << (moreE ? lineE : "<end>");
    }
  }
  return ::testing::AssertionFailure() << "profiles differ outside their native text";
}

}  // namespace xnuscope::test
