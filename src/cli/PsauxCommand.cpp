// `xnuscope psaux [--pid N]`: each process' argv and environment, read from its
// user stack through its own page tables (ProcArgsReader).
#include "cli/Command.h"
#include "cli/ProcessFilter.h"
#include "cli/Session.h"
#include "core/Hex.h"
#include "engine/Target.h"
#include "xnu/ProcArgsReader.h"
#include "xnu/ProcWalker.h"

namespace xnuscope::cli {
namespace {

namespace po = boost::program_options;
using Json = nlohmann::ordered_json;

class PsauxCommand : public Command {
 public:
  std::string name() const override { return "psaux"; }
  std::string summary() const override {
    return "argv and environment of each process (from its user stack)";
  }
  std::string usage() const override { return "psaux [--pid N]"; }
  void addOptions(po::options_description& options) const override {
    options.add_options()("pid", po::value<std::int32_t>()->value_name("N"), "only this process");
  }

  int run(Session& session, const po::variables_map& vm) override {
    engine::Target& target = session.target();
    const ProcArgsLayout layout = ProcArgsLayout::fromProfile(target.profile());
    const ProcessListing processes = ProcWalker(target.xnu()).walk();
    // An unknown --pid is a usage error (exit 2), as for `maps`.
    if (vm.count("pid")) requireProcess(processes, vm["pid"].as<std::int32_t>());
    const ProcArgsReader reader(target.xnu(), layout);
    WalkStatus status = processes.status;
    auto rows = Json::array();
    for (const auto& process : processes.processes) {
      if (vm.count("pid") && process.pid != vm["pid"].as<std::int32_t>()) continue;
      const ProcArgs args = reader.read(process);
      std::string command;
      for (const auto& arg : args.argv) command += (command.empty() ? "" : " ") + arg;
      rows.push_back(
          {{"pid", args.pid},
           {"name", args.name},
           {"status", procArgsStatusName(args.status)},
           {"argc", args.argc},
           {"exec_path", args.status == ProcArgsStatus::Ok ? Json(args.execPath) : Json(nullptr)},
           {"command", command},
           {"argv", args.argv},
           {"env", args.env},
           {"user_stack", hex(args.userStack)},
           {"argslen", args.argslen},
           {"detail", args.detail}});
    }
    Report report;
    report.setCompleteness(status.complete, status.warnings);
    report.document["processes"] = rows;
    report.rowsKey = "processes";
    report.columns = {
        {"pid", "PID", true}, {"name", "NAME"}, {"status", "STATUS"}, {"command", "ARGUMENTS"}};
    session.emit(report);
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(PsauxCommand);

}  // namespace
}  // namespace xnuscope::cli
