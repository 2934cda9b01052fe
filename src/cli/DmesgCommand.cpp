// `xnuscope dmesg`: the kernel message buffer, oldest line first. Table format
// prints the text as the guest's dmesg would; JSON gives {"messages": [lines]}.
#include "cli/Command.h"
#include "cli/Session.h"
#include "core/Hex.h"

namespace xnuscope::cli {
namespace {

class DmesgCommand : public Command {
 public:
  std::string name() const override { return "dmesg"; }
  std::string summary() const override { return "the kernel message buffer (msgbufp)"; }

  int run(Session& session, const boost::program_options::variables_map&) override {
    const MessageBuffer buffer = session.target().dmesg();
    const auto lines = buffer.lines();
    Report report;
    report.setCompleteness(buffer.status.complete, buffer.status.warnings);
    report.document["address"] = hex(buffer.address);
    report.document["buffer"] = hex(buffer.ring);
    report.document["size"] = buffer.size;
    report.document["bufx"] = buffer.writeIndex;
    report.document["messages"] = lines;
    if (session.options().format == OutputFormat::Table) {
      for (const auto& line : lines) session.out() << line << '\n';
      for (const auto& warning : buffer.status.warnings) session.warn(warning);
      return 0;
    }
    if (session.options().format == OutputFormat::Csv) {
      // One "message" column, one row per line.
      auto rows = nlohmann::ordered_json::array();
      for (const auto& line : lines) rows.push_back({{"message", line}});
      report.document["rows"] = rows;
      report.rowsKey = "rows";
      report.columns = {{"message", "message", false}};
    }
    session.emit(report);
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(DmesgCommand);

}  // namespace
}  // namespace xnuscope::cli
