// Prints a Report as an aligned table, JSON or CSV.
#pragma once

#include <ostream>

#include "output/OutputFormat.h"
#include "output/Report.h"

namespace xnuscope {

void printReport(const Report& report, OutputFormat format, std::ostream& out);

// Renders one JSON value as table/CSV cell text (strings unquoted, null empty).
std::string cellText(const nlohmann::ordered_json& value);

}  // namespace xnuscope
