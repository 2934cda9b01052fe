// A command's result, independent of how it is printed. The JSON document is the
// contract (DESIGN.md): one object per command. Table and CSV print the rows held
// under `rowsKey` with the declared columns, or, for a single-record report such
// as `info`, the record's scalar fields as key/value lines.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xnuscope {

struct ReportColumn {
  std::string key;     // key of the value inside a row object
  std::string header;  // column title for table/csv
  bool alignRight = false;
};

struct Report {
  nlohmann::ordered_json document = nlohmann::ordered_json::object();
  std::string rowsKey;                // empty: the document itself is one record
  std::vector<ReportColumn> columns;  // for table/csv of rows

  // Adds `"complete": complete, "warnings": [...]` in the standard position.
  void setCompleteness(bool complete, const std::vector<std::string>& warnings);
};

}  // namespace xnuscope
