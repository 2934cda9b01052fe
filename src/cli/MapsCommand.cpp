// `xnuscope maps --pid N`: the vm_map entries of one process (sorted by start),
// with totals. The walk is bounded and cycle-checked (VmMapWalker).
#include "cli/BeaconFallback.h"
#include "cli/Command.h"
#include "cli/Session.h"
#include "cli/XnuContext.h"
#include "cli/XnuRows.h"
#include "core/Error.h"
#include "core/Hex.h"
#include "xnu/VmMapWalker.h"

namespace xnuscope::cli {
namespace {

namespace po = boost::program_options;

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
    // When no kernel can be located or no profile serves it, an in-guest companion's
    // beacon pages may still answer (rows marked "source": "beacon").
    std::unique_ptr<XnuContext> context;
    try {
      context = std::make_unique<XnuContext>(session);
    } catch (const AnalysisError& error) {
      auto report = beaconMapsReport(session, static_cast<std::uint32_t>(pid), error.what());
      if (!report) throw;
      session.emit(*report);
      return 0;
    }
    const ProcessListing processes = ProcWalker(context->xnu()).walk();
    const ProcessRecord& process = findProcess(processes, pid);
    if (process.map == 0) {
      throw AnalysisError("maps: pid " + std::to_string(pid) + " (" + process.name() +
                          ") has no readable task/vm_map" +
                          (process.zombie() ? " (it is a zombie)" : ""));
    }
    const VmMapListing listing = VmMapWalker(context->xnu()).walk(process.map);

    Report report;
    WalkStatus status = listing.status;
    report.setCompleteness(status.complete, status.warnings);
    auto& doc = report.document;
    doc["pid"] = process.pid;
    doc["name"] = process.name();
    doc["map"] = hex(process.map);
    doc["pmap_cr3"] = listing.pmapCr3 ? nlohmann::ordered_json(hex(*listing.pmapCr3))
                                      : nlohmann::ordered_json(nullptr);
    auto rows = nlohmann::ordered_json::array();
    std::uint64_t submaps = 0;
    for (const auto& entry : listing.entries) {
      rows.push_back(mapEntryRow(entry));
      submaps += entry.isSubmap ? 1 : 0;
    }
    doc["maps"] = rows;
    doc["totals"] = {{"entries", listing.entries.size()},
                     {"declared_entries", listing.declaredEntries},
                     {"size", hex(listing.totalSize())},
                     {"size_bytes", listing.totalSize()},
                     {"submaps", submaps}};
    report.rowsKey = "maps";
    report.columns = mapEntryColumns();
    session.emit(report);
    if (session.options().format == OutputFormat::Table) {
      session.out() << listing.entries.size() << " entries (hdr.nentries "
                    << listing.declaredEntries << "), " << hex(listing.totalSize())
                    << " bytes mapped, pid " << process.pid << " " << process.name() << '\n';
    }
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(MapsCommand);

}  // namespace
}  // namespace xnuscope::cli
