#include "output/OutputFormat.h"

namespace xnuscope {

std::optional<OutputFormat> parseOutputFormat(std::string_view name) {
  if (name == "table") return OutputFormat::Table;
  if (name == "json") return OutputFormat::Json;
  if (name == "csv") return OutputFormat::Csv;
  return std::nullopt;
}

std::string_view outputFormatName(OutputFormat format) {
  switch (format) {
    case OutputFormat::Table:
      return "table";
    case OutputFormat::Json:
      return "json";
    case OutputFormat::Csv:
      return "csv";
  }
  return "table";
}

}  // namespace xnuscope
