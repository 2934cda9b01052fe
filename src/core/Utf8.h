// UTF-8 checks for text that comes from guest memory or from untrusted files
// (process names, the message buffer, profile member names, paths). JSON output
// must be valid UTF-8, so such text is repaired before it is printed as JSON:
// every byte that is not part of a well-formed UTF-8 sequence becomes U+FFFD.
#pragma once

#include <string>
#include <string_view>

namespace xnuscope {

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates, no code
// point above U+10FFFF).
bool isValidUtf8(std::string_view text);

// `text` with every byte outside a well-formed UTF-8 sequence replaced by U+FFFD
// ("\xEF\xBF\xBD"); valid text is returned unchanged.
std::string toValidUtf8(std::string_view text);

// `text` for an error or warning message: valid UTF-8 as is, other bytes as \xNN.
std::string printableForMessage(std::string_view text);

}  // namespace xnuscope
