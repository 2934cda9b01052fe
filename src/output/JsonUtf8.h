// JSON output must be valid UTF-8, but process names, the message buffer and file
// paths are bytes from the guest or the user. Before a report is printed as JSON,
// every string (and object key) that is not valid UTF-8 is repaired in place: each
// bad byte becomes U+FFFD. The caller tells the user how many values were changed.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>

namespace xnuscope {

// Repairs `document` in place; returns the number of strings and keys changed.
std::size_t repairJsonUtf8(nlohmann::ordered_json& document);

// Whether every string and key of `document` is already valid UTF-8 (nothing to
// repair, so no copy to make).
bool isValidJsonUtf8(const nlohmann::ordered_json& document);

}  // namespace xnuscope
