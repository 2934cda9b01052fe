// `xnuscope hooks [--all]`: handlers of the BSD system call table, the Mach trap
// table and the sysctl tree that point outside the kernel's __TEXT and the loaded
// kexts, or whose first instructions jump there (HookScanner).
#include "cli/Command.h"
#include "cli/Session.h"
#include "core/Hex.h"
#include "engine/Target.h"
#include "xnu/HookScanner.h"

namespace xnuscope::cli {
namespace {

namespace po = boost::program_options;
using Json = nlohmann::ordered_json;

class HooksCommand : public Command {
 public:
  std::string name() const override { return "hooks"; }
  std::string summary() const override {
    return "hooked sysent, Mach trap and sysctl handlers (pointer and inline hooks)";
  }
  std::string usage() const override { return "hooks [--all]"; }
  void addOptions(po::options_description& options) const override {
    options.add_options()("all", po::bool_switch(), "list every table entry, not only hooked ones");
  }

  int run(Session& session, const po::variables_map& vm) override {
    engine::Target& target = session.target();
    const HookLayout layout = HookLayout::fromProfile(target.profile());
    const KextListing kexts = target.kexts();
    const HookListing listing = HookScanner(target.xnu(), layout, kexts.kexts).scan();
    WalkStatus status = listing.status;
    if (!kexts.status.complete) {
      status.incomplete(
          "kext list is partial, so code in an unlisted kext may be reported as foreign");
      status.merge(kexts.status);
    }
    const bool all = vm.count("all") && vm["all"].as<bool>();
    auto rows = Json::array();
    std::size_t hooked = 0, sysent = 0, traps = 0, oids = 0;
    for (const auto& entry : listing.entries) {
      hooked += entry.hooked;
      sysent += entry.table == "sysent";
      traps += entry.table == "mach_trap_table";
      oids += entry.table == "sysctl";
      if (!all && !entry.hooked) continue;
      rows.push_back({{"table", entry.table},
                      {"index", entry.index ? Json(*entry.index) : Json(nullptr)},
                      {"name", entry.name},
                      {"handler", hex(entry.handler)},
                      {"module", entry.module},
                      {"hooked", entry.hooked},
                      {"kind", entry.kind.empty() ? Json(nullptr) : Json(entry.kind)},
                      {"target", entry.target ? Json(hex(*entry.target)) : Json(nullptr)},
                      {"disassembly", disassemblyLines(entry.disassembly)}});
    }
    Report report;
    report.setCompleteness(status.complete, status.warnings);
    auto& doc = report.document;
    doc["kernel_text"] = {{"start", hex(listing.textStart)}, {"end", hex(listing.textEnd)}};
    doc["kexts"] = listing.kextCount;
    doc["sysent"] = {{"address", hex(listing.sysentAddress)},
                     {"found_by", listing.sysentSource},
                     {"entries", sysent}};
    doc["mach_trap_table"] = {
        {"entries", traps},
        {"layout", layout.trapFromProfile ? "profile" : "xnu source (mach_trap_t)"}};
    doc["sysctl"] = {{"oids", oids}};
    doc["hooked"] = hooked;
    doc["hooks"] = rows;
    report.rowsKey = "hooks";
    report.columns = {{"table", "TABLE"},     {"index", "INDEX", true}, {"name", "NAME"},
                      {"handler", "HANDLER"}, {"module", "MODULE"},     {"kind", "HOOK"},
                      {"target", "TARGET"}};
    session.emit(report);
    if (session.options().format == OutputFormat::Table) {
      for (const auto& row : rows) {
        if (!row["hooked"].get<bool>()) continue;
        session.out() << "\n"
                      << row["table"].get<std::string>() << " " << row["name"].get<std::string>()
                      << " " << row["kind"].get<std::string>() << " hook -> "
                      << row["target"].get<std::string>() << '\n';
        for (const auto& line : row["disassembly"])
          session.out() << "  " << line.get<std::string>() << '\n';
      }
    }
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(HooksCommand);

}  // namespace
}  // namespace xnuscope::cli
