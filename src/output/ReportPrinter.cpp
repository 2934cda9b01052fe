#include "output/ReportPrinter.h"

#include <algorithm>
#include <string>
#include <vector>

namespace xnuscope {
namespace {

using Json = nlohmann::ordered_json;

std::string csvEscape(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

bool isScalar(const Json& value) { return !value.is_object() && !value.is_array(); }

// Columns for a single-record report: every scalar field plus arrays of scalars.
void printRecordTable(const Json& record, std::ostream& out) {
  std::size_t width = 0;
  for (const auto& [key, value] : record.items()) width = std::max(width, key.size());
  for (const auto& [key, value] : record.items()) {
    std::string text;
    if (isScalar(value)) {
      text = cellText(value);
    } else if (value.is_array() && std::all_of(value.begin(), value.end(), isScalar)) {
      for (const auto& element : value) {
        if (!text.empty()) text += ", ";
        text += cellText(element);
      }
    } else {
      continue;  // nested detail is printed by the command itself or only in JSON
    }
    out << key << std::string(width - key.size() + 2, ' ') << text << '\n';
  }
}

void printRecordCsv(const Json& record, std::ostream& out) {
  out << "key,value\n";
  for (const auto& [key, value] : record.items()) {
    if (!isScalar(value)) continue;
    out << csvEscape(key) << ',' << csvEscape(cellText(value)) << '\n';
  }
}

void printRowsTable(const Report& report, const Json& rows, std::ostream& out) {
  std::vector<std::size_t> widths;
  for (const auto& column : report.columns) widths.push_back(column.header.size());
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : rows) {
    std::vector<std::string> line;
    for (std::size_t i = 0; i < report.columns.size(); ++i) {
      const auto& key = report.columns[i].key;
      line.push_back(row.contains(key) ? cellText(row[key]) : "");
      widths[i] = std::max(widths[i], line.back().size());
    }
    cells.push_back(std::move(line));
  }
  auto emit = [&](const std::vector<std::string>& line) {
    std::string text;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const bool last = i + 1 == line.size();
      const std::size_t pad = widths[i] - line[i].size();
      if (report.columns[i].alignRight) text += std::string(pad, ' ');
      text += line[i];
      if (!report.columns[i].alignRight && !last) text += std::string(pad, ' ');
      if (!last) text += "  ";
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << '\n';
  };
  std::vector<std::string> headers;
  for (const auto& column : report.columns) headers.push_back(column.header);
  emit(headers);
  for (const auto& line : cells) emit(line);
}

void printRowsCsv(const Report& report, const Json& rows, std::ostream& out) {
  for (std::size_t i = 0; i < report.columns.size(); ++i) {
    out << (i ? "," : "") << csvEscape(report.columns[i].key);
  }
  out << '\n';
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < report.columns.size(); ++i) {
      const auto& key = report.columns[i].key;
      out << (i ? "," : "") << csvEscape(row.contains(key) ? cellText(row[key]) : "");
    }
    out << '\n';
  }
}

}  // namespace

std::string cellText(const Json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void printReport(const Report& report, OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::Json) {
    out << report.document.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
    return;
  }
  if (report.rowsKey.empty()) {
    if (format == OutputFormat::Csv) {
      printRecordCsv(report.document, out);
    } else {
      printRecordTable(report.document, out);
    }
    return;
  }
  static const Json empty = Json::array();
  const Json& rows =
      report.document.contains(report.rowsKey) ? report.document[report.rowsKey] : empty;
  if (format == OutputFormat::Csv) {
    printRowsCsv(report, rows, out);
  } else {
    printRowsTable(report, rows, out);
  }
}

}  // namespace xnuscope
