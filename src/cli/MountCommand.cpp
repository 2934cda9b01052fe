// `xnuscope mount`: the mounted file systems, in mount-list order (MountWalker).
#include "cli/Command.h"
#include "cli/Session.h"
#include "core/Hex.h"
#include "engine/Target.h"
#include "xnu/MountWalker.h"

namespace xnuscope::cli {
namespace {

using Json = nlohmann::ordered_json;

class MountCommand : public Command {
 public:
  std::string name() const override { return "mount"; }
  std::string summary() const override { return "mounted file systems: on, from, type, flags"; }

  int run(Session& session, const boost::program_options::variables_map&) override {
    engine::Target& target = session.target();
    const MountLayout layout = MountLayout::fromProfile(target.profile());
    const MountListing listing = MountWalker(target.xnu(), layout).walk();
    auto rows = Json::array();
    for (const auto& mount : listing.mounts) {
      const auto names = mountFlagNames(mount.flags);
      std::string options;
      for (const auto& name : names) options += (options.empty() ? "" : ",") + name;
      rows.push_back({{"on", mount.on},
                      {"from", mount.from},
                      {"fstype", mount.fstype},
                      {"flags", mount.flags},
                      {"options", options},
                      {"flag_names", names},
                      {"address", hex(mount.address)}});
    }
    Report report;
    report.setCompleteness(listing.status.complete, listing.status.warnings);
    report.document["mounts"] = rows;
    report.rowsKey = "mounts";
    report.columns = {{"from", "FROM"}, {"on", "ON"}, {"fstype", "TYPE"}, {"options", "OPTIONS"}};
    session.emit(report);
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(MountCommand);

}  // namespace
}  // namespace xnuscope::cli
