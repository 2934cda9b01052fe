// `xnuscope lsof [--pid N]`: open file descriptors of each process — vnodes with
// their paths, sockets, pipes, kqueues (FileDescriptorWalker).
#include "cli/Command.h"
#include "cli/ProcessFilter.h"
#include "cli/Session.h"
#include "core/Hex.h"
#include "engine/Target.h"
#include "xnu/FileDescriptorWalker.h"
#include "xnu/ProcWalker.h"

namespace xnuscope::cli {
namespace {

namespace po = boost::program_options;
using Json = nlohmann::ordered_json;

Json optionalNumber(const std::optional<int>& value) {
  return value ? Json(*value) : Json(nullptr);
}

class LsofCommand : public Command {
 public:
  std::string name() const override { return "lsof"; }
  std::string summary() const override {
    return "open files: vnodes with paths, sockets, pipes, kqueues";
  }
  std::string usage() const override { return "lsof [--pid N]"; }
  void addOptions(po::options_description& options) const override {
    options.add_options()("pid", po::value<std::int32_t>()->value_name("N"), "only this process");
  }

  int run(Session& session, const po::variables_map& vm) override {
    engine::Target& target = session.target();
    const FileDescriptorLayout layout = FileDescriptorLayout::fromProfile(target.profile());
    const ProcessListing processes = ProcWalker(target.xnu()).walk();
    // An unknown --pid is a usage error (exit 2), as for `maps`.
    if (vm.count("pid")) requireProcess(processes, vm["pid"].as<std::int32_t>());
    const FileDescriptorWalker walker(target.xnu(), layout);
    OpenFileListing listing;
    listing.status = processes.status;
    for (const auto& process : processes.processes) {
      if (vm.count("pid") && process.pid != vm["pid"].as<std::int32_t>()) continue;
      walker.walk(process, listing);
    }
    auto rows = Json::array();
    for (const auto& file : listing.files) {
      rows.push_back({{"pid", file.pid},
                      {"name", file.processName},
                      {"fd", file.fd},
                      {"type", file.type},
                      {"access", file.access},
                      {"path", file.path},
                      {"vnode_type", file.vnodeType.empty() ? Json(nullptr) : Json(file.vnodeType)},
                      {"family", optionalNumber(file.family)},
                      {"socket_type", optionalNumber(file.socketType)},
                      {"protocol", optionalNumber(file.protocol)},
                      {"peer", file.peer ? Json(hex(*file.peer)) : Json(nullptr)},
                      {"address", hex(file.data)},
                      {"fileglob", hex(file.fileglob)}});
    }
    Report report;
    report.setCompleteness(listing.status.complete, listing.status.warnings);
    report.document["files"] = rows;
    report.rowsKey = "files";
    report.columns = {{"pid", "PID", true}, {"name", "NAME"},   {"fd", "FD", true},
                      {"type", "TYPE"},     {"access", "MODE"}, {"path", "PATH"}};
    session.emit(report);
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(LsofCommand);

}  // namespace
}  // namespace xnuscope::cli
