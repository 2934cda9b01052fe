// SHA-256 of a profile's source file, recorded as provenance so a user can tell
// which exact download a profile came from. Computed by OpenSSL's libcrypto.
#pragma once

#include <string>
#include <string_view>

namespace xnuscope {

// Lower-case hex digest of `data`.
std::string sha256Hex(std::string_view data);
// Lower-case hex digest of the file at `path`, read in blocks (a dSYM's DWARF can
// be hundreds of MB). Throws InputError when the file cannot be read.
std::string sha256FileHex(const std::string& path);

}  // namespace xnuscope
