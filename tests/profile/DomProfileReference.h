// The reference reader of native profiles for the tests: the DOM walk readNativeProfile()
// used before it became one streaming pass. Same contract as readNativeProfile().
#pragma once

#include <string>

#include "profile/Profile.h"

namespace xnuscope::test {

Profile readNativeProfileWithDom(const std::string& text, const std::string& origin);

}  // namespace xnuscope::test
