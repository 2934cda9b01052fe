// Everything one xnuscope invocation works on: the global options, the output
// streams, and the engine Target (opened on first use, so `--help` or a usage
// error costs nothing). Commands reach guest memory only through the Target.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "cli/GlobalOptions.h"
#include "engine/Target.h"
#include "output/ProgressBar.h"
#include "output/Report.h"

namespace xnuscope::cli {

class Session {
 public:
  Session(GlobalOptions options, std::ostream& out, std::ostream& err);
  ~Session();

  const GlobalOptions& options() const { return options_; }

  // The guest from --image or --qemu-mem/--qmp, with --profile, --kernel, --dtb,
  // --force, --freeze and --beacon-session applied; InputError when no source was
  // given or it cannot be opened.
  engine::Target& target();
  // Command-specific settings of the Target (info --decoys, profile derive), given
  // before the first target() call opens it.
  void adjustTarget(std::function<void(engine::TargetOptions&)> adjust) {
    adjust_ = std::move(adjust);
  }

  // Prints a report on stdout in the chosen format. In table/csv mode the report's
  // warnings go to stderr (unless --quiet), so stdout stays machine-readable.
  void emit(const Report& report);
  void warn(const std::string& message);
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

 private:
  GlobalOptions options_;
  std::ostream& out_;
  std::ostream& err_;
  ProgressBar progressBar_;
  std::function<void(engine::TargetOptions&)> adjust_;
  std::unique_ptr<engine::Target> target_;
};

}  // namespace xnuscope::cli
