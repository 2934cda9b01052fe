// `xnuscope kexts`: loaded kernel extensions from the kmod list and the loaded-kext
// summaries, reconciled (KextWalker).
#include "cli/Command.h"
#include "cli/Rows.h"
#include "cli/Session.h"

namespace xnuscope::cli {
namespace {

class KextsCommand : public Command {
 public:
  std::string name() const override { return "kexts"; }
  std::string summary() const override {
    return "loaded kernel extensions: name, version, load address, size";
  }

  int run(Session& session, const boost::program_options::variables_map&) override {
    const KextListing listing = session.target().kexts();
    Report report;
    report.setCompleteness(listing.status.complete, listing.status.warnings);
    auto rows = nlohmann::ordered_json::array();
    for (const auto& kext : listing.kexts) rows.push_back(kextRow(kext));
    report.document["kexts"] = rows;
    report.rowsKey = "kexts";
    report.columns = kextColumns();
    session.emit(report);
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(KextsCommand);

}  // namespace
}  // namespace xnuscope::cli
