#include "engine/Process.h"

#include "beacon/BeaconSnapshot.h"
#include "core/Error.h"
#include "xnu/ProcessRecord.h"

namespace xnuscope::engine {

std::string_view processOriginName(ProcessOrigin origin) {
  switch (origin) {
    case ProcessOrigin::Allproc:
      return "allproc";
    case ProcessOrigin::Zombproc:
      return "zombproc";
    case ProcessOrigin::Tasks:
      return "tasks";
    case ProcessOrigin::PidHash:
      return "pid_hash";
    case ProcessOrigin::Beacon:
      return "beacon";
  }
  return "unknown";
}

namespace {

ProcessOrigin originOf(ProcSource source) {
  switch (source) {
    case ProcSource::Allproc:
      return ProcessOrigin::Allproc;
    case ProcSource::Zombproc:
      return ProcessOrigin::Zombproc;
    case ProcSource::Tasks:
      return ProcessOrigin::Tasks;
    case ProcSource::PidHash:
      return ProcessOrigin::PidHash;
  }
  return ProcessOrigin::Allproc;
}

std::optional<std::uint64_t> nonZero(std::uint64_t value) {
  return value ? std::optional<std::uint64_t>(value) : std::nullopt;
}

}  // namespace

Process toProcess(const ProcessRecord& record) {
  Process process;
  process.pid = record.pid;
  process.ppid = record.ppid;
  process.uid = record.uid;
  process.gid = record.gid;
  process.name = record.name();
  process.comm = record.comm;
  process.pName = record.pName;
  process.address = record.address;
  process.task = nonZero(record.task);
  process.map = nonZero(record.map);
  process.pmapCr3 = record.pmapCr3;
  process.startSeconds = record.startSeconds;
  if (record.startSeconds) process.startMicroseconds = record.startMicroseconds;
  process.zombie = record.zombie();
  process.origin = originOf(record.source);
  process.inAllproc = record.inAllproc;
  process.inTasksQueue = record.inTasksQueue;
  process.inPidHash = record.inPidHash;
  return process;
}

Process toProcess(const BeaconProcess& beacon) {
  Process process;
  process.pid = static_cast<std::int32_t>(beacon.pid);
  process.ppid = static_cast<std::int32_t>(beacon.ppid);
  process.uid = beacon.uid;
  process.gid = beacon.gid;
  process.name = beacon.name;
  process.zombie = beacon.state == 'Z';
  process.origin = ProcessOrigin::Beacon;
  process.state = beacon.state;
  process.rssKb = beacon.rssKb;
  process.virtualSizeKb = beacon.virtualSizeKb;
  return process;
}

const Process& findProcess(const ProcessList& list, std::int32_t pid) {
  const Process* found = nullptr;
  for (const auto& p : list.processes) {
    if (p.pid != pid) continue;
    if (!found || (found->zombie && !p.zombie)) found = &p;
  }
  if (!found) {
    throw InputError("no process with pid " + std::to_string(pid) + " among the " +
                     std::to_string(list.processes.size()) +
                     " processes found; run `xnuscope pslist` to see them");
  }
  return *found;
}

}  // namespace xnuscope::engine
