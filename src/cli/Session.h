// Everything one xnuscope invocation works on, opened lazily so each command pays
// only for what it uses: the physical memory source, and (as later layers land)
// the located kernel, the selected profile and the kernel's virtual memory.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "cli/GlobalOptions.h"
#include "output/ProgressBar.h"
#include "output/Report.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope::cli {

class Session {
 public:
  Session(GlobalOptions options, std::ostream& out, std::ostream& err);
  ~Session();

  const GlobalOptions& options() const { return options_; }

  // The guest's physical memory from --image or --qemu-mem; InputError when neither
  // was given or the source cannot be opened.
  const PhysicalMemory& physicalMemory();
  bool hasMemorySource() const;

  ProgressFn progress() { return progressBar_.callback(); }
  void endProgress() { progressBar_.finish(); }

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
  std::unique_ptr<PhysicalMemory> memory_;
};

}  // namespace xnuscope::cli
