// `xnuscope image`: what the memory source is (format detected by content, backed
// physical ranges, CPU registers recorded with it). Needs no kernel or profile.
#include "cli/Command.h"
#include "cli/Session.h"
#include "core/Hex.h"

namespace xnuscope::cli {
namespace {

class ImageCommand : public Command {
 public:
  std::string name() const override { return "image"; }
  std::string summary() const override {
    return "describe the memory source: detected format, physical ranges, CPU registers";
  }

  int run(Session& session, const boost::program_options::variables_map&) override {
    const PhysicalMemory& memory = session.target().physical();
    Report report;
    auto& doc = report.document;
    doc["format"] = memory.formatName();
    doc["description"] = memory.describe();
    doc["backed_bytes"] = memory.backedBytes();
    doc["range_count"] = memory.ranges().size();
    auto ranges = nlohmann::ordered_json::array();
    for (const auto& range : memory.ranges()) {
      ranges.push_back(
          {{"start", hex(range.start)}, {"end", hex(range.end())}, {"size", hex(range.size)}});
    }
    doc["ranges"] = ranges;
    auto cpus = nlohmann::ordered_json::array();
    for (const auto& cpu : memory.cpus()) {
      nlohmann::ordered_json row;
      row["cpu"] = cpu.index;
      row["cr3"] = cpu.cr3 ? nlohmann::ordered_json(hex(*cpu.cr3)) : nullptr;
      row["rip"] = cpu.rip ? nlohmann::ordered_json(hex(*cpu.rip)) : nullptr;
      cpus.push_back(row);
    }
    doc["cpus"] = cpus;
    session.emit(report);
    if (session.options().format == OutputFormat::Table) {
      for (const auto& range : memory.ranges()) {
        session.out() << "  range " << hex(range.start) << "-" << hex(range.end()) << '\n';
      }
      for (const auto& cpu : memory.cpus()) {
        session.out() << "  cpu " << cpu.index << " cr3 " << (cpu.cr3 ? hex(*cpu.cr3) : "-")
                      << '\n';
      }
    }
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(ImageCommand);

}  // namespace
}  // namespace xnuscope::cli
