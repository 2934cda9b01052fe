#include "xnu/ProcessWatcher.h"

namespace xnuscope {

std::string processEventName(ProcessEventKind kind) {
  return kind == ProcessEventKind::Start ? "start" : "exit";
}

ProcessWatcher::ProcessWatcher(const XnuKernel& kernel, int maxAttempts)
    : reader_(kernel, maxAttempts) {}

ProcessWatcher::Identity ProcessWatcher::identityOf(const ProcessRecord& process) {
  return {process.address, process.pid, process.startSeconds.value_or(-1),
          process.startMicroseconds};
}

std::vector<ProcessRecord> ProcessWatcher::alive() const {
  std::vector<ProcessRecord> out;
  for (const auto& [identity, process] : alive_) out.push_back(process);
  return out;
}

ProcessPoll ProcessWatcher::poll() {
  ProcessPoll result;
  StableProcessList list = reader_.read();
  result.attempts = list.attempts;
  result.warnings = list.listing.status.warnings;
  if (!list.consistent) {
    result.consistent = false;
    result.alive = alive_.size();
    return result;
  }
  std::map<Identity, ProcessRecord> now;
  for (auto& process : list.listing.processes) {
    if (process.inAllproc) now.emplace(identityOf(process), std::move(process));
  }
  if (primed_) {
    for (const auto& [identity, process] : alive_) {
      if (!now.count(identity)) result.events.push_back({ProcessEventKind::Exit, process});
    }
    for (const auto& [identity, process] : now) {
      if (!alive_.count(identity)) result.events.push_back({ProcessEventKind::Start, process});
    }
  }
  alive_ = std::move(now);
  primed_ = true;
  result.alive = alive_.size();
  return result;
}

}  // namespace xnuscope
