// Address formatting used in messages and output ("0xffffff8000200000").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xnuscope {

std::string hex(std::uint64_t value);

// Parses "0x1234", "1234" (hex when prefixed, decimal otherwise), or a value with
// a K/M/G suffix for sizes. Returns nullopt on garbage.
std::optional<std::uint64_t> parseNumber(std::string_view text);

}  // namespace xnuscope
