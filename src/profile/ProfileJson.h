// Parses a profile document (native JSON or Volatility 3 ISF) from untrusted text
// with bounds: at most kMaxProfileJsonValues values and kMaxProfileJsonDepth levels
// of nesting, so a crafted file can neither take gigabytes nor exhaust the stack.
// One pass: the tree is built while the bounds are checked.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace xnuscope {

// Throws InputError naming `what` (e.g. "ISF foo.json") on invalid JSON, numbers
// out of range (1e999), or a document beyond the bounds.
nlohmann::json parseProfileJson(const std::string& text, const std::string& what);

}  // namespace xnuscope
