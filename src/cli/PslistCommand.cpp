// `xnuscope pslist`: every process the kernel knows, from allproc and zombproc
// cross-checked against the task queue (a smeared list still shows what the
// other list holds; see ProcWalker).
#include "cli/BeaconFallback.h"
#include "cli/Command.h"
#include "cli/Session.h"
#include "cli/XnuContext.h"
#include "cli/XnuRows.h"
#include "core/Error.h"

namespace xnuscope::cli {
namespace {

class PslistCommand : public Command {
 public:
  std::string name() const override { return "pslist"; }
  std::string summary() const override {
    return "processes: pid, ppid, uid, name, proc address, task, start time";
  }

  int run(Session& session, const boost::program_options::variables_map&) override {
    // No kernel or profile: the beacon fallback has answered (or the error stands).
    const std::unique_ptr<XnuContext> context = openXnuContextOrEmitBeaconProcesses(session);
    if (!context) return 0;
    const ProcessListing listing = ProcWalker(context->xnu()).walk();
    Report report;
    report.setCompleteness(listing.status.complete, listing.status.warnings);
    auto rows = nlohmann::ordered_json::array();
    for (const auto& process : listing.processes) rows.push_back(processRow(process));
    report.document["processes"] = rows;
    report.rowsKey = "processes";
    report.columns = processColumns();
    session.emit(report);
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(PslistCommand);

}  // namespace
}  // namespace xnuscope::cli
