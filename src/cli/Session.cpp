#include "cli/Session.h"

#include <ostream>

#include "output/JsonUtf8.h"
#include "output/ReportPrinter.h"

namespace xnuscope::cli {

Session::Session(GlobalOptions options, std::ostream& out, std::ostream& err)
    : options_(std::move(options)),
      out_(out),
      err_(err),
      progressBar_(!options_.quiet && ProgressBar::stderrIsTerminal()) {}

Session::~Session() = default;

engine::Target& Session::target() {
  if (target_) return *target_;
  engine::TargetOptions target;
  target.image = options_.image;
  target.qemuMem = options_.qemuMem;
  target.qmp = options_.qmp;
  target.freeze = options_.freeze;
  target.profile = options_.profile;
  target.kernelFile = options_.kernel;
  target.dtb = options_.dtb;
  target.force = options_.force;
  target.beaconSession = options_.beaconSession;
  target.progress = progressBar_.callback();
  target.progressDone = [this] { progressBar_.finish(); };
  target.warn = [this](const std::string& message) { warn(message); };
  if (adjust_) adjust_(target);
  target_ = engine::Target::open(std::move(target));
  return *target_;
}

void Session::emit(const Report& report) {
  progressBar_.finish();
  if (options_.format == OutputFormat::Json && !isValidJsonUtf8(report.document)) {
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
