// `xnuscope dump [--pid N] --start A --end B -o FILE`: a virtual range of a
// process (through its own pmap, pm_cr3) or, without --pid, of the kernel, written
// to FILE at offset VA − A. Absent pages stay zero in the file and are listed.
#include "cli/Command.h"
#include "cli/Session.h"
#include "core/Error.h"
#include "core/Hex.h"

namespace xnuscope::cli {
namespace {

namespace po = boost::program_options;

std::uint64_t addressOption(const po::variables_map& vm, const char* name) {
  if (!vm.count(name)) throw InputError(std::string("dump: --") + name + " ADDR is required");
  const std::string text = vm[name].as<std::string>();
  const auto value = parseNumber(text);
  if (!value)
    throw InputError(std::string("dump: --") + name + " '" + text + "' is not an address");
  return *value;
}

class DumpCommand : public Command {
 public:
  std::string name() const override { return "dump"; }
  std::string summary() const override {
    return "write a process' (or the kernel's) virtual range to a file; absent pages listed";
  }
  std::string usage() const override { return "dump [--pid N] --start ADDR --end ADDR -o FILE"; }
  void addOptions(po::options_description& options) const override {
    options.add_options()("pid", po::value<std::int32_t>()->value_name("N"),
                          "process whose address space to read (default: the kernel)")(
        "start", po::value<std::string>()->value_name("ADDR"), "first virtual address")(
        "end", po::value<std::string>()->value_name("ADDR"), "end virtual address (exclusive)")(
        "output,o", po::value<std::string>()->value_name("FILE"), "file to write");
  }

  int run(Session& session, const po::variables_map& vm) override {
    const std::uint64_t start = addressOption(vm, "start");
    const std::uint64_t end = addressOption(vm, "end");
    if (!vm.count("output")) throw InputError("dump: -o FILE is required");
    const std::string path = vm["output"].as<std::string>();
    std::optional<std::int32_t> pid;
    if (vm.count("pid")) pid = vm["pid"].as<std::int32_t>();
    const engine::VirtualDump dump = session.target().dumpVirtual(pid, start, end, path);
    const MemoryDumpResult& result = dump.result;
    const std::uint64_t root = dump.space.root;

    Report report;
    auto& doc = report.document;
    std::vector<std::string> warnings;
    bool complete = true;
    doc["pid"] = dump.space.pid ? nlohmann::ordered_json(*dump.space.pid) : nullptr;
    doc["name"] = dump.space.name;
    if (!result.holes.empty()) {
      complete = false;
      warnings.push_back(std::to_string(result.holes.size()) +
                         " range(s) are not mapped or not in the image; zero-filled in " + path);
    }
    report.setCompleteness(complete, warnings);
    doc["cr3"] = hex(root);
    doc["start"] = hex(start);
    doc["end"] = hex(end);
    doc["output"] = path;
    doc["bytes_written"] = result.bytesWritten;
    doc["bytes_present"] = result.bytesPresent;
    auto holes = nlohmann::ordered_json::array();
    for (const auto& hole : result.holes) {
      holes.push_back(
          {{"start", hex(hole.start)}, {"end", hex(hole.end)}, {"size", hex(hole.size())}});
    }
    doc["holes"] = holes;
    report.rowsKey = "holes";
    report.columns = {
        {"start", "HOLE START", false}, {"end", "HOLE END", false}, {"size", "SIZE", true}};
    session.emit(report);
    if (session.options().format == OutputFormat::Table) {
      session.out() << "wrote " << result.bytesWritten << " bytes (" << result.bytesPresent
                    << " present) of " << hex(start) << "-" << hex(end) << " to " << path << '\n';
    }
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(DumpCommand);

}  // namespace
}  // namespace xnuscope::cli
