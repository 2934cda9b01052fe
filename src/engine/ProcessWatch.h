// Start/exit events of a running guest's processes, as engine Process rows: the
// ProcessWatcher (stable allproc reads, identity by proc address + pid + start
// time) behind the engine's one process schema.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "engine/Process.h"
#include "xnu/ProcessWatcher.h"

namespace xnuscope::engine {

struct ProcessChange {
  std::string kind;  // "start" or "exit"
  Process process;   // as last seen
};

struct ProcessWatchPoll {
  std::vector<ProcessChange> events;
  bool consistent = true;  // false: the list changed under the read; no events
  std::vector<std::string> warnings;
  std::size_t alive = 0;
  int attempts = 0;
};

class ProcessWatch {
 public:
  // `kernel` must outlive this object (Target::watchProcesses() sees to that).
  explicit ProcessWatch(const XnuKernel& kernel) : watcher_(kernel) {}

  // The first successful poll sets the baseline and reports no events.
  ProcessWatchPoll poll();
  bool primed() const { return watcher_.primed(); }
  std::vector<Process> alive() const;

 private:
  ProcessWatcher watcher_;
};

}  // namespace xnuscope::engine
