// SHA-256 of a profile's source file, recorded as provenance so a user can tell
// which exact download a profile came from (FIPS 180-4).
#pragma once

#include <string>
#include <string_view>

namespace xnuscope {

// Lower-case hex digest.
std::string sha256Hex(std::string_view data);

}  // namespace xnuscope
