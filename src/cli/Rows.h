// JSON rows for the commands, in the field names DESIGN.md fixes: addresses as hex
// strings, pids and counts as numbers, prot as "rwx" letters, null for what the
// source cannot know. One builder per engine row type, whatever produced the row
// (kernel walk or beacon pages); "source" says which.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/Target.h"
#include "output/Report.h"

namespace xnuscope::cli {

// "2018-11-29T04:48:00Z" (UTC); empty for times gmtime cannot represent.
std::string isoTimeUtc(std::int64_t seconds);

nlohmann::ordered_json processRow(const engine::Process& process);
nlohmann::ordered_json mapEntryRow(const engine::MapEntry& entry, std::int32_t pid);
nlohmann::ordered_json kextRow(const KextRecord& kext);
nlohmann::ordered_json beaconPteRow(const BeaconPte& pte);
nlohmann::ordered_json beaconSessionRow(const BeaconSessionInfo& session, bool selected);

// Table/csv columns of the rows above; beacon rows show what the companion knows.
std::vector<ReportColumn> processColumns(engine::ProfileSource source);
std::vector<ReportColumn> mapEntryColumns(engine::ProfileSource source);
std::vector<ReportColumn> kextColumns();

}  // namespace xnuscope::cli
