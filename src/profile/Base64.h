// Base64 (RFC 4648), for the kernel banner Volatility 3 ISF files keep in the
// `version` symbol's `constant_data`. Encoding and decoding are OpenSSL's; the
// strict validity check (alphabet, length, padding) is done here first.
#pragma once

#include <optional>
#include <string>

namespace xnuscope {

std::string base64Encode(const std::string& bytes);
// nullopt when `text` is not valid padded base64.
std::optional<std::string> base64Decode(const std::string& text);

}  // namespace xnuscope
