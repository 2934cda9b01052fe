#include "engine/BeaconProcessSource.h"

#include <set>

namespace xnuscope::engine {

BeaconProcessSource::BeaconProcessSource(BeaconSnapshot snapshot, std::string whyNoKernel)
    : snapshot_(std::move(snapshot)), whyNoKernel_(std::move(whyNoKernel)) {}

std::vector<std::string> BeaconProcessSource::fallbackWarnings() const {
  std::vector<std::string> warnings{
      "kernel path unavailable (" + whyNoKernel_ + "): using beacon session " +
      std::to_string(snapshot_.sessionId) + " (layout " +
      std::string(beaconLayoutName(snapshot_.layout)) +
      "), data published by an in-guest companion, not read from kernel structures"};
  warnings.insert(warnings.end(), snapshot_.warnings.begin(), snapshot_.warnings.end());
  return warnings;
}

ProcessList BeaconProcessSource::processes() const {
  ProcessList list;
  list.source = ProfileSource::Beacon;
  list.complete = snapshot_.complete;
  list.warnings = fallbackWarnings();
  for (const auto& process : snapshot_.processes) list.processes.push_back(toProcess(process));
  return list;
}

MapList BeaconProcessSource::maps(std::int32_t pid) const {
  MapList maps;
  maps.pid = pid;
  maps.source = ProfileSource::Beacon;
  maps.complete = snapshot_.complete;
  maps.warnings = fallbackWarnings();
  for (const auto& process : snapshot_.processes) {
    if (static_cast<std::int32_t>(process.pid) == pid) maps.name = process.name;
  }
  for (const auto& region : snapshot_.regions) {
    if (static_cast<std::int32_t>(region.pid) == pid) maps.entries.push_back(toMapEntry(region));
  }
  if (maps.entries.empty()) {
    maps.complete = false;
    if (snapshot_.layout == BeaconLayout::B) {
      maps.warnings.push_back("Layout B companions publish no memory regions");
    } else {
      std::set<std::uint32_t> published;
      for (const auto& region : snapshot_.regions) published.insert(region.pid);
      std::string list;
      for (auto p : published) list += (list.empty() ? "" : ", ") + std::to_string(p);
      maps.warnings.push_back("the companion published regions only for pid(s) " +
                              (list.empty() ? std::string("none") : list) + ", not for pid " +
                              std::to_string(pid));
    }
  }
  return maps;
}

}  // namespace xnuscope::engine
