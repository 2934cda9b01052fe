// `xnuscope ifconfig`: network interfaces and their addresses (InterfaceWalker).
#include "cli/Command.h"
#include "cli/Session.h"
#include "core/Hex.h"
#include "engine/Target.h"
#include "xnu/InterfaceWalker.h"

namespace xnuscope::cli {
namespace {

using Json = nlohmann::ordered_json;

class IfconfigCommand : public Command {
 public:
  std::string name() const override { return "ifconfig"; }
  std::string summary() const override {
    return "network interfaces and their addresses (IPv4, IPv6, link)";
  }

  int run(Session& session, const boost::program_options::variables_map&) override {
    engine::Target& target = session.target();
    const InterfaceLayout layout = InterfaceLayout::fromProfile(target.profile());
    const InterfaceListing listing = InterfaceWalker(target.xnu(), layout).walk();
    auto rows = Json::array();
    for (const auto& interface : listing.interfaces) {
      auto addresses = Json::array();
      std::string text;
      for (const auto& address : interface.addresses) {
        addresses.push_back({{"family", address.family}, {"address", address.address}});
        text += (text.empty() ? "" : " ") + address.family + " " + address.address;
      }
      rows.push_back({{"name", interface.name},
                      {"index", interface.index},
                      {"addresses", addresses},
                      {"summary", text},
                      {"address", hex(interface.address)}});
    }
    Report report;
    report.setCompleteness(listing.status.complete, listing.status.warnings);
    report.document["interfaces"] = rows;
    report.rowsKey = "interfaces";
    report.columns = {{"name", "NAME"}, {"index", "INDEX", true}, {"summary", "ADDRESSES"}};
    session.emit(report);
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(IfconfigCommand);

}  // namespace
}  // namespace xnuscope::cli
