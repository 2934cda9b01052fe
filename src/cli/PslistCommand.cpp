// `xnuscope pslist`: every process the kernel knows, from allproc and zombproc
// cross-checked against the task queue (a smeared list still shows what the
// other list holds; see ProcWalker), or, when no kernel or profile serves, what
// an in-guest companion published (rows with "source": "beacon").
#include "cli/Command.h"
#include "cli/Rows.h"
#include "cli/Session.h"

namespace xnuscope::cli {
namespace {

class PslistCommand : public Command {
 public:
  std::string name() const override { return "pslist"; }
  std::string summary() const override {
    return "processes: pid, ppid, uid, name, proc address, task, start time";
  }

  int run(Session& session, const boost::program_options::variables_map&) override {
    // The kernel walk, or the beacon fallback when no kernel or profile serves.
    const engine::ProcessList list = session.target().processes();
    Report report;
    report.setCompleteness(list.complete, list.warnings);
    auto rows = nlohmann::ordered_json::array();
    for (const auto& process : list.processes) rows.push_back(processRow(process));
    report.document["processes"] = std::move(rows);
    report.rowsKey = "processes";
    report.columns = processColumns(list.source);
    session.emit(report);
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(PslistCommand);

}  // namespace
}  // namespace xnuscope::cli
