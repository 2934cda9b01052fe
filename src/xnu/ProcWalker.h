// Recovers the process list the way an analyst would cross-check it by hand: walk
// allproc and zombproc (LIST_ENTRY p_list), then the task queue (`_tasks`,
// queue_chain_t task.tasks) and map each task back to its proc. A smeared or
// tampered allproc (Volatility 2 issue #158) still yields every process the task
// queue holds; the walk that broke is reported, never hidden.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xnu/ProcessRecord.h"
#include "xnu/WalkStatus.h"
#include "xnu/XnuKernel.h"

namespace xnuscope {

struct ProcWalkerLimits {
  std::size_t maxProcesses = 100000;  // per list; PID_MAX is 99999
};

struct ProcessListing {
  // allproc order (newest first, as the kernel inserts at the head), then
  // zombproc, then processes only the task queue knew about.
  std::vector<ProcessRecord> processes;
  WalkStatus status;
};

class ProcWalker {
 public:
  explicit ProcWalker(const XnuKernel& kernel, ProcWalkerLimits limits = {});

  ProcessListing walk() const;

  // Reads and checks one struct proc; nullopt with `whyNot` set when it is
  // unreadable or not plausibly a proc (pid out of range, unprintable name).
  std::optional<ProcessRecord> readProc(std::uint64_t procVa, std::string* whyNot) const;

  // macOS ≤ 12: proc.task / task.bsd_info. 13+: the task follows the proc in one
  // allocation. nullopt when the pointer is unreadable or implausible.
  std::optional<std::uint64_t> taskOfProc(std::uint64_t procVa) const;
  std::optional<std::uint64_t> procOfTask(std::uint64_t taskVa) const;

 private:
  struct ListWalk {
    std::vector<std::uint64_t> procs;
    std::vector<ProcessRecord> records;  // parallel to procs when the walk read them
    WalkStatus status;
  };
  ListWalk walkProcList(const std::string& listName, std::uint64_t headVa) const;
  ListWalk walkTaskQueue(std::uint64_t headVa) const;
  ListWalk walkPidHash(std::uint64_t tableVa) const;
  void fillTask(ProcessRecord& record) const;
  bool looksLikeTask(std::uint64_t taskVa) const;

  const XnuKernel& kernel_;
  ProcWalkerLimits limits_;
};

}  // namespace xnuscope
