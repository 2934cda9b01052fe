#include "cli/Session.h"

#include <ostream>

#include "core/Error.h"
#include "output/JsonUtf8.h"
#include "output/ReportPrinter.h"
#include "physmem/ImageOpener.h"
#include "qemu/QemuLiveMemory.h"

namespace xnuscope::cli {

Session::Session(GlobalOptions options, std::ostream& out, std::ostream& err)
    : options_(std::move(options)),
      out_(out),
      err_(err),
      progressBar_(!options_.quiet && ProgressBar::stderrIsTerminal()) {}

Session::~Session() = default;

bool Session::hasMemorySource() const {
  return !options_.image.empty() || !options_.qemuMem.empty();
}

const PhysicalMemory& Session::physicalMemory() {
  if (memory_) return *memory_;
  if (!options_.image.empty()) {
    memory_ = openPhysicalMemory(options_.image);
    return *memory_;
  }
  if (!options_.qemuMem.empty()) {
    // Live VM: RAM layout and CR3 come from QEMU over QMP, not from the user.
    auto live = std::make_unique<QemuLiveMemory>(options_.qemuMem, options_.qmp);
    if (options_.freeze) live->holdFrozen(true);  // the whole command sees one instant
    memory_ = std::move(live);
    return *memory_;
  }
  throw InputError(
      "no guest memory given: use --image PATH (raw, QEMU ELF core or LiME) or "
      "--qemu-mem PATH --qmp SOCKET for a running QEMU VM");
}

void Session::emit(const Report& report) {
  progressBar_.finish();
  if (options_.format == OutputFormat::Json) {
    // Guest text (process names, the message buffer) and paths are bytes, not
    // necessarily UTF-8; JSON must be. Repair a copy and say so.
    Report printable = report;
    const std::size_t repaired = repairJsonUtf8(printable.document);
    if (repaired != 0) {
      const std::string note = std::to_string(repaired) +
                               " text value(s) held bytes that are not UTF-8; each such byte "
                               "is shown as U+FFFD in this JSON (--format csv keeps the raw bytes)";
      auto& document = printable.document;
      if (!document.contains("warnings") || !document["warnings"].is_array()) {
        document["warnings"] = nlohmann::ordered_json::array();
      }
      document["warnings"].push_back(note);
      warn(note);
    }
    printReport(printable, options_.format, out_);
    out_.flush();
    return;
  }
  printReport(report, options_.format, out_);
  out_.flush();
  if (options_.format != OutputFormat::Json && report.document.contains("warnings")) {
    for (const auto& warning : report.document["warnings"]) {
      warn(warning.get<std::string>());
    }
    if (report.document.contains("complete") && !report.document["complete"].get<bool>() &&
        !options_.quiet) {
      err_ << "xnuscope: result incomplete (see warnings above)\n";
    }
  }
}

void Session::warn(const std::string& message) {
  if (options_.quiet) return;
  progressBar_.finish();
  err_ << "warning: " << message << '\n';
}

}  // namespace xnuscope::cli
