// Turns successive process lists of a running guest into start/exit events. A
// process is alive while it is on allproc; it starts when an identity (proc
// address, pid, start time) appears there and exits when that identity leaves
// (to zombproc or freed). Identity includes the address and start time because
// pids and proc structs are both reused. Polls that race a change (see
// StableProcessReader) produce no events, so a torn list never shows up as a
// phantom exit followed by a phantom start.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "xnu/StableProcessList.h"

namespace xnuscope {

enum class ProcessEventKind { Start, Exit };

std::string processEventName(ProcessEventKind kind);  // "start" / "exit"

struct ProcessEvent {
  ProcessEventKind kind = ProcessEventKind::Start;
  ProcessRecord process;  // as last seen (for an exit: before it left)
};

struct ProcessPoll {
  std::vector<ProcessEvent> events;
  bool consistent = true;  // false: no events this time, see warnings
  std::vector<std::string> warnings;
  std::size_t alive = 0;  // processes on allproc after this poll
  int attempts = 0;
};

class ProcessWatcher {
 public:
  explicit ProcessWatcher(const XnuKernel& kernel,
                          int maxAttempts = StableProcessReader::kDefaultAttempts);

  // The first successful poll sets the baseline and reports no events.
  ProcessPoll poll();
  bool primed() const { return primed_; }
  std::vector<ProcessRecord> alive() const;

 private:
  using Identity = std::tuple<std::uint64_t, std::int32_t, std::int64_t, std::uint32_t>;
  static Identity identityOf(const ProcessRecord& process);

  StableProcessReader reader_;
  std::map<Identity, ProcessRecord> alive_;
  bool primed_ = false;
};

}  // namespace xnuscope
