#include "engine/ProcessWatch.h"

namespace xnuscope::engine {

ProcessWatchPoll ProcessWatch::poll() {
  ProcessPoll poll = watcher_.poll();
  ProcessWatchPoll out;
  out.consistent = poll.consistent;
  out.warnings = std::move(poll.warnings);
  out.alive = poll.alive;
  out.attempts = poll.attempts;
  for (const auto& event : poll.events) {
    out.events.push_back({processEventName(event.kind), toProcess(event.process)});
  }
  return out;
}

std::vector<Process> ProcessWatch::alive() const {
  std::vector<Process> processes;
  for (const auto& record : watcher_.alive()) processes.push_back(toProcess(record));
  return processes;
}

}  // namespace xnuscope::engine
