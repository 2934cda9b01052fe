#include "cli/BeaconFallback.h"

#include <algorithm>
#include <set>

#include "beacon/BeaconReader.h"
#include "beacon/BeaconRows.h"
#include "cli/Session.h"
#include "cli/XnuContext.h"
#include "core/Error.h"

namespace xnuscope::cli {
namespace {

using Json = nlohmann::ordered_json;

std::optional<BeaconSnapshot> scan(Session& session) {
  auto snapshot =
      readBeacons(session.physicalMemory(), session.options().beaconSession, session.progress());
  session.endProgress();
  return snapshot;
}

std::vector<std::string> fallbackWarnings(const BeaconSnapshot& snapshot,
                                          const std::string& whyNoKernel) {
  std::vector<std::string> warnings{
      "kernel path unavailable (" + whyNoKernel + "): using beacon session " +
      std::to_string(snapshot.sessionId) + " (layout " +
      std::string(beaconLayoutName(snapshot.layout)) +
      "), data published by an in-guest companion, not read from kernel structures"};
  warnings.insert(warnings.end(), snapshot.warnings.begin(), snapshot.warnings.end());
  return warnings;
}

}  // namespace

std::optional<Report> beaconProcessReport(Session& session, const std::string& whyNoKernel) {
  const auto snapshot = scan(session);
  if (!snapshot) return std::nullopt;
  Report report;
  report.setCompleteness(snapshot->complete, fallbackWarnings(*snapshot, whyNoKernel));
  Json rows = Json::array();
  for (const auto& process : snapshot->processes) rows.push_back(beaconProcessRow(process));
  report.document["processes"] = rows;
  report.rowsKey = "processes";
  report.columns = {{"pid", "PID", true}, {"ppid", "PPID", true}, {"uid", "UID", true},
                    {"state", "S"},       {"name", "NAME"},       {"source", "SOURCE"}};
  return report;
}

std::optional<Report> beaconMapsReport(Session& session, std::uint32_t pid,
                                       const std::string& whyNoKernel) {
  const auto snapshot = scan(session);
  if (!snapshot) return std::nullopt;
  std::vector<std::string> warnings = fallbackWarnings(*snapshot, whyNoKernel);
  bool complete = snapshot->complete;
  Json rows = Json::array();
  for (const auto& region : snapshot->regions) {
    if (region.pid == pid) rows.push_back(beaconRegionRow(region));
  }
  if (rows.empty()) {
    complete = false;
    if (snapshot->layout == BeaconLayout::B) {
      warnings.push_back("Layout B companions publish no memory regions");
    } else {
      std::set<std::uint32_t> watched;
      for (const auto& region : snapshot->regions) watched.insert(region.pid);
      std::string list;
      for (auto p : watched) list += (list.empty() ? "" : ", ") + std::to_string(p);
      warnings.push_back("the companion published regions only for pid(s) " +
                         (list.empty() ? std::string("none") : list) + ", not for pid " +
                         std::to_string(pid));
    }
  }
  Report report;
  report.setCompleteness(complete, warnings);
  report.document["maps"] = rows;
  report.rowsKey = "maps";
  report.columns = {{"start", "START"}, {"end", "END"},   {"prot", "PROT"},
                    {"share", "SHARE"}, {"path", "PATH"}, {"source", "SOURCE"}};
  return report;
}

std::unique_ptr<XnuContext> openXnuContextOrEmitBeaconProcesses(Session& session) {
  try {
    return std::make_unique<XnuContext>(session);
  } catch (const AnalysisError& error) {
    auto report = beaconProcessReport(session, error.what());
    if (!report) throw;
    session.emit(*report);
    return nullptr;
  }
}

}  // namespace xnuscope::cli
