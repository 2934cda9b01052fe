// `xnuscope maps --pid N`: the memory map of one process (sorted by start), with
// totals: the vm_map entries from the kernel walk (bounded and cycle-checked, see
// VmMapWalker), or, when no kernel or profile serves, the regions an in-guest
// companion published (rows with "source": "beacon").
#include "cli/Command.h"
#include "cli/Rows.h"
#include "cli/Session.h"
#include "core/Error.h"
#include "core/Hex.h"

namespace xnuscope::cli {
namespace {

namespace po = boost::program_options;
using Json = nlohmann::ordered_json;

class MapsCommand : public Command {
 public:
  std::string name() const override { return "maps"; }
  std::string summary() const override {
    return "vm_map entries of a process: start, end, prot, maxprot, offset, tag, object";
  }
  std::string usage() const override { return "maps --pid N"; }
  void addOptions(po::options_description& options) const override {
    options.add_options()("pid", po::value<std::int32_t>()->value_name("N"),
                          "process id (see pslist)");
  }

  int run(Session& session, const po::variables_map& vm) override {
    if (!vm.count("pid")) throw InputError("maps: --pid N is required (see `xnuscope pslist`)");
    const std::int32_t pid = vm["pid"].as<std::int32_t>();
    const engine::MapList maps = session.target().maps(pid);

    Report report;
    report.setCompleteness(maps.complete, maps.warnings);
    auto& doc = report.document;
    doc["pid"] = maps.pid;
    doc["name"] = maps.name.empty() ? Json(nullptr) : Json(maps.name);
    doc["map"] = maps.map ? Json(hex(*maps.map)) : Json(nullptr);
    doc["pmap_cr3"] = maps.pmapCr3 ? Json(hex(*maps.pmapCr3)) : Json(nullptr);
    auto rows = Json::array();
    std::uint64_t submaps = 0;
    for (const auto& entry : maps.entries) {
      rows.push_back(mapEntryRow(entry, maps.pid));
      submaps += entry.isSubmap.value_or(false) ? 1 : 0;
    }
    doc["maps"] = rows;
    doc["totals"] = {
        {"entries", maps.entries.size()},
        {"declared_entries", maps.declaredEntries ? Json(*maps.declaredEntries) : Json(nullptr)},
        {"size", hex(maps.totalSize())},
        {"size_bytes", maps.totalSize()},
        {"submaps", submaps}};
    doc["source"] = std::string(engine::profileSourceName(maps.source));
    report.rowsKey = "maps";
    report.columns = mapEntryColumns(maps.source);
    session.emit(report);
    if (session.options().format == OutputFormat::Table && maps.declaredEntries) {
      session.out() << maps.entries.size() << " entries (hdr.nentries " << *maps.declaredEntries
                    << "), " << hex(maps.totalSize()) << " bytes mapped, pid " << maps.pid << " "
                    << maps.name << '\n';
    }
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(MapsCommand);

}  // namespace
}  // namespace xnuscope::cli
