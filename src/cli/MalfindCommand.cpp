// `xnuscope malfind [--pid N]`: executable memory that is writable or not backed by
// a file, per process, with a hexdump and a Capstone disassembly of its first bytes
// and a flag for a Mach-O header (MalfindScanner).
#include <iomanip>
#include <sstream>

#include "cli/Command.h"
#include "cli/ProcessFilter.h"
#include "cli/Session.h"
#include "core/Hex.h"
#include "engine/Target.h"
#include "xnu/MalfindScanner.h"
#include "xnu/ProcWalker.h"

namespace xnuscope::cli {
namespace {

namespace po = boost::program_options;
using Json = nlohmann::ordered_json;

std::string hexBytes(const std::vector<std::uint8_t>& bytes) {
  std::ostringstream out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out << (i ? " " : "") << std::hex << std::setw(2) << std::setfill('0')
        << static_cast<int>(bytes[i]);
  }
  return out.str();
}

// 16 bytes per line: "0x7f..: 55 48 89 e5 ...  UH.."
std::vector<std::string> hexdumpLines(const std::vector<std::uint8_t>& bytes,
                                      std::uint64_t address) {
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < bytes.size(); at += 16) {
    const std::vector<std::uint8_t> chunk(bytes.begin() + at,
                                          bytes.begin() + std::min(bytes.size(), at + 16));
    std::string ascii;
    for (auto byte : chunk) ascii += (byte >= 0x20 && byte < 0x7f) ? static_cast<char>(byte) : '.';
    lines.push_back(hex(address + at) + ": " + hexBytes(chunk) + "  " + ascii);
  }
  return lines;
}

class MalfindCommand : public Command {
 public:
  std::string name() const override { return "malfind"; }
  std::string summary() const override {
    return "injected code: executable memory that is writable or anonymous, with hexdump and "
           "disassembly";
  }
  std::string usage() const override { return "malfind [--pid N]"; }
  void addOptions(po::options_description& options) const override {
    options.add_options()("pid", po::value<std::int32_t>()->value_name("N"), "only this process");
  }

  int run(Session& session, const po::variables_map& vm) override {
    engine::Target& target = session.target();
    const MalfindLayout layout = MalfindLayout::fromProfile(target.profile());
    const ProcessListing processes = ProcWalker(target.xnu()).walk();
    // An unknown --pid is a usage error (exit 2), as for `maps`.
    if (vm.count("pid")) requireProcess(processes, vm["pid"].as<std::int32_t>());
    const MalfindScanner scanner(target.xnu(), layout);
    MalfindListing listing;
    listing.status = processes.status;
    for (const auto& process : processes.processes) {
      if (vm.count("pid") && process.pid != vm["pid"].as<std::int32_t>()) continue;
      scanner.scan(process, listing);
    }
    auto rows = Json::array();
    for (const auto& hit : listing.hits) {
      rows.push_back({{"pid", hit.pid},
                      {"name", hit.processName},
                      {"start", hex(hit.entry.start)},
                      {"end", hex(hit.entry.end)},
                      {"size", hex(hit.entry.size())},
                      {"prot", protectionLetters(hit.entry.protection)},
                      {"maxprot", protectionLetters(hit.entry.maxProtection)},
                      {"tag", hit.entry.tag},
                      {"object", hex(hit.entry.object)},
                      {"anonymous", hit.anonymous},
                      {"reason", hit.reason},
                      {"resident", hit.resident},
                      {"macho", hit.machO ? Json(*hit.machO) : Json(nullptr)},
                      {"bytes", hexBytes(hit.firstBytes)},
                      {"hexdump", hexdumpLines(hit.firstBytes, hit.entry.start)},
                      {"disassembly", disassemblyLines(hit.disassembly)}});
    }
    Report report;
    report.setCompleteness(listing.status.complete, listing.status.warnings);
    report.document["processes_scanned"] = listing.processesScanned;
    report.document["entries_scanned"] = listing.entriesScanned;
    report.document["regions"] = rows;
    report.rowsKey = "regions";
    report.columns = {{"pid", "PID", true}, {"name", "NAME"},   {"start", "START"},
                      {"end", "END"},       {"prot", "PROT"},   {"tag", "TAG", true},
                      {"reason", "REASON"}, {"macho", "MACH-O"}};
    session.emit(report);
    if (session.options().format == OutputFormat::Table) {
      for (const auto& row : rows) {
        session.out() << "\npid " << row["pid"].get<int>() << " " << row["name"].get<std::string>()
                      << " " << row["start"].get<std::string>() << "-"
                      << row["end"].get<std::string>() << " " << row["prot"].get<std::string>()
                      << " (" << row["reason"].get<std::string>() << ")\n";
        for (const auto& line : row["hexdump"])
          session.out() << "  " << line.get<std::string>() << '\n';
        for (const auto& line : row["disassembly"])
          session.out() << "  " << line.get<std::string>() << '\n';
      }
    }
    return 0;
  }
};

XNUSCOPE_REGISTER_COMMAND(MalfindCommand);

}  // namespace
}  // namespace xnuscope::cli
