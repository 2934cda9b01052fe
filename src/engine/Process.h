// The one process row of the engine, whatever produced it: the kernel walk
// (allproc, zombproc, the task queue) or an in-guest companion's beacon pages.
// Fields a source cannot know are empty (nullopt) rather than invented: a beacon
// process has no proc address, a kernel process no resident size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/ProfileSource.h"

namespace xnuscope {
struct BeaconProcess;
struct ProcessRecord;
}  // namespace xnuscope

namespace xnuscope::engine {

// The list a row was first recovered from.
enum class ProcessOrigin { Allproc, Zombproc, Tasks, PidHash, Beacon };

std::string_view processOriginName(ProcessOrigin origin);  // "allproc", ..., "pid_hash", "beacon"

struct Process {
  std::int32_t pid = 0;
  std::int32_t ppid = 0;
  std::optional<std::uint32_t> uid;  // nullopt: credentials unreadable
  std::optional<std::uint32_t> gid;
  std::string name;                      // p_name when set, else p_comm; the companion's name
  std::optional<std::string> comm;       // p_comm (kernel only)
  std::optional<std::string> pName;      // p_name, "" when never set (kernel only)
  std::optional<std::uint64_t> address;  // struct proc (kernel only)
  std::optional<std::uint64_t> task;
  std::optional<std::uint64_t> map;  // task->map
  std::optional<std::uint64_t> pmapCr3;
  std::optional<std::int64_t> startSeconds;  // Unix time
  std::optional<std::uint32_t> startMicroseconds;
  bool zombie = false;
  ProcessOrigin origin = ProcessOrigin::Allproc;
  std::optional<bool> inAllproc;  // kernel only: which lists held it
  std::optional<bool> inTasksQueue;
  std::optional<bool> inPidHash;  // macOS 14+ pid lookup table (false before 14)
  std::optional<char> state;      // beacon only: 'R', 'S', 'Z', ...
  std::optional<std::uint64_t> rssKb;
  std::optional<std::uint64_t> virtualSizeKb;
};

struct ProcessList {
  std::vector<Process>
      processes;  // kernel: allproc, zombproc, tasks-only, pid-hash-only; beacon: by pid
  ProfileSource source = ProfileSource::Exact;
  bool complete = true;
  std::vector<std::string> warnings;
};

Process toProcess(const ProcessRecord& record);
Process toProcess(const BeaconProcess& process);

// The live (non-zombie first) process with `pid`; InputError naming how many
// processes exist when there is none.
const Process& findProcess(const ProcessList& list, std::int32_t pid);

}  // namespace xnuscope::engine
