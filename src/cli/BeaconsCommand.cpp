// `xnuscope beacons`: what the beacon fallback sees — companion sessions, pages
// found/valid/torn/garbage, and the chosen session's processes, regions and PTEs.
// Needs no kernel or profile: it only scans physical memory for beacon pages.
#include <ctime>

#include "cli/Command.h"
#include "cli/Rows.h"
#include "cli/Session.h"
#include "core/Error.h"
#include "core/Hex.h"

namespace xnuscope::cli {
namespace {

namespace po = boost::program_options;
using Json = nlohmann::ordered_json;

std::string utcTime(std::uint32_t seconds) {
  const std::time_t t = seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return text;
}

std::vector<ReportColumn> columnsFor(const std::string& rows) {
  if (rows == "sessions") {
    return {{"id", "SESSION", true},
            {"layout", "LAYOUT"},
            {"timestamp", "TIMESTAMP", true},
            {"selected", "SELECTED"},
            {"master", "MASTER"},
            {"pages_found", "FOUND", true},
            {"pages_valid", "VALID", true},
            {"pages_torn", "TORN", true},
            {"pages_duplicate", "DUPLICATE", true}};
  }
  if (rows == "regions") {
    return {{"pid", "PID", true}, {"start", "START"}, {"end", "END"},
            {"prot", "PROT"},     {"share", "SHARE"}, {"path", "PATH"}};
  }
  if (rows == "ptes") {
    return {{"pid", "PID", true},
            {"va", "VA"},
            {"pa", "PA"},
            {"verified", "VERIFIED"},
            {"note", "NOTE"}};
  }
  return {{"pid", "PID", true}, {"ppid", "PPID", true}, {"uid", "UID", true},
          {"gid", "GID", true}, {"state", "S"},         {"rss_kb", "RSS_KB", true},
          {"name", "NAME"}};
}

class BeaconsCommand : public Command {
 public:
  std::string name() const override { return "beacons"; }
  std::string summary() const override {
    return "what the beacon fallback sees: companion sessions, beacon pages, processes, regions";
  }
  std::string usage() const override {
    return "beacons [--beacon-session ID] [--rows processes|regions|ptes|sessions]";
  }
  void addOptions(po::options_description& options) const override {
    options.add_options()(
        "rows", po::value<std::string>()->value_name("KIND")->default_value("processes"),
        "rows printed by table/csv: processes, regions, ptes or sessions (json has all)");
  }

  int run(Session& session, const po::variables_map& vm) override {
    const std::string rows = vm["rows"].as<std::string>();
    if (rows != "processes" && rows != "regions" && rows != "ptes" && rows != "sessions") {
      throw InputError("--rows must be processes, regions, ptes or sessions (got '" + rows + "')");
    }
    const BeaconSnapshot snapshot = session.target().beacons();

    Report report;
    auto& doc = report.document;
    report.setCompleteness(snapshot.hasSession() && snapshot.complete, snapshot.warnings);
    if (snapshot.hasSession()) {
      Json chosen;
      chosen["id"] = snapshot.sessionId;
      chosen["layout"] = std::string(beaconLayoutName(snapshot.layout));
      chosen["timestamp"] = snapshot.timestamp ? Json(*snapshot.timestamp) : Json(nullptr);
      chosen["generation"] = snapshot.generation ? Json(*snapshot.generation) : Json(nullptr);
      chosen["declared_processes"] = snapshot.declaredProcessCount;
      doc["session"] = chosen;
    } else {
      doc["session"] = nullptr;
    }
    doc["bytes_scanned"] = snapshot.bytesScanned;
    doc["pages"] = {{"found", snapshot.pages.found},
                    {"valid", snapshot.pages.valid},
                    {"torn", snapshot.pages.torn},
                    {"garbage", snapshot.pages.garbage},
                    {"duplicates", snapshot.pages.duplicates}};
    Json sessions = Json::array();
    for (std::size_t i = 0; i < snapshot.sessions.size(); ++i) {
      sessions.push_back(beaconSessionRow(snapshot.sessions[i], snapshot.hasSession() && i == 0));
    }
    doc["sessions"] = sessions;
    Json processes = Json::array();
    for (const auto& process : snapshot.processes) {
      processes.push_back(processRow(engine::toProcess(process)));
    }
    doc["processes"] = processes;
    Json regions = Json::array();
    for (const auto& region : snapshot.regions) {
      regions.push_back(
          mapEntryRow(engine::toMapEntry(region), static_cast<std::int32_t>(region.pid)));
    }
    doc["regions"] = regions;
    Json ptes = Json::array();
    for (const auto& pte : snapshot.ptes) ptes.push_back(beaconPteRow(pte));
    doc["ptes"] = ptes;
    report.rowsKey = rows;
    report.columns = columnsFor(rows);

    if (session.options().format == OutputFormat::Table) printSummary(session, snapshot);
    session.emit(report);
    return 0;
  }

 private:
  static void printSummary(Session& session, const BeaconSnapshot& snapshot) {
    auto& out = session.out();
    out << "beacon pages  " << snapshot.pages.found << " found, " << snapshot.pages.valid
        << " valid, " << snapshot.pages.torn << " torn, " << snapshot.pages.garbage << " garbage\n";
    for (std::size_t i = 0; i < snapshot.sessions.size(); ++i) {
      const auto& s = snapshot.sessions[i];
      out << (snapshot.hasSession() && i == 0 ? "* session " : "  session ") << s.id << "  layout "
          << beaconLayoutName(s.layout) << "  "
          << (s.timestamp ? utcTime(*s.timestamp) : std::string("no timestamp")) << "  pages "
          << s.pages.valid << " valid / " << s.pages.torn << " torn\n";
    }
    if (snapshot.hasSession()) {
      out << "processes     " << snapshot.processes.size() << " (writer published "
          << snapshot.declaredProcessCount << ")\n"
          << "regions       " << snapshot.regions.size() << "\n"
          << "ptes          " << snapshot.ptes.size() << "\n\n";
    }
  }
};

XNUSCOPE_REGISTER_COMMAND(BeaconsCommand);

}  // namespace
}  // namespace xnuscope::cli
