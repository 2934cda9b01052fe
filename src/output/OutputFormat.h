// The three output formats every command supports.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace xnuscope {

enum class OutputFormat { Table, Json, Csv };

std::optional<OutputFormat> parseOutputFormat(std::string_view name);
std::string_view outputFormatName(OutputFormat format);

}  // namespace xnuscope
