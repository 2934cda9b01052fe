// JSON rows for the walker commands, in the field names DESIGN.md fixes:
// addresses as hex strings, pids and counts as numbers, prot as "rwx" letters.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "output/Report.h"
#include "xnu/KextRecord.h"
#include "xnu/ProcWalker.h"
#include "xnu/VmMapEntryRecord.h"

namespace xnuscope::cli {

// "2018-11-29T04:48:00Z" (UTC); empty for times gmtime cannot represent.
std::string isoTimeUtc(std::int64_t seconds);

nlohmann::ordered_json processRow(const ProcessRecord& process);
nlohmann::ordered_json mapEntryRow(const VmMapEntryRecord& entry);
nlohmann::ordered_json kextRow(const KextRecord& kext);

// Table/csv columns of the rows above.
std::vector<ReportColumn> processColumns();
std::vector<ReportColumn> mapEntryColumns();
std::vector<ReportColumn> kextColumns();

// The live (non-zombie first) process with `pid`; InputError naming the pids
// that exist when there is none.
const ProcessRecord& findProcess(const ProcessListing& listing, std::int32_t pid);

}  // namespace xnuscope::cli
