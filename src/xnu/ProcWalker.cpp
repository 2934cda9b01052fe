#include "xnu/ProcWalker.h"

#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "core/Hex.h"
#include "core/LittleEndian.h"

namespace xnuscope {
namespace {

constexpr std::int32_t kPidMax = 99999;  // bsd/sys/proc_internal.h PID_MAX
// A struct proc larger than this is not a real layout; refuse rather than read MBs.
constexpr std::uint64_t kMaxProcStructSize = 64 * 1024;

// Both loads read 0 for a field a (wrong or hostile) profile places past the struct.
std::uint64_t loadU64(const std::vector<std::uint8_t>& bytes, std::uint64_t offset) {
  return loadLittleEndianOr<std::uint64_t>(bytes, static_cast<std::size_t>(offset));
}
std::uint32_t loadU32(const std::vector<std::uint8_t>& bytes, std::uint64_t offset) {
  return loadLittleEndianOr<std::uint32_t>(bytes, static_cast<std::size_t>(offset));
}

// The C string in a fixed-size char array; nullopt when it holds a byte a process
// name never has (control characters), which marks a misread struct.
std::optional<std::string> fixedString(const std::vector<std::uint8_t>& bytes, std::uint64_t offset,
                                       std::uint64_t length) {
  std::string text;
  for (std::uint64_t i = 0; i < length && offset + i < bytes.size(); ++i) {
    const std::uint8_t c = bytes[offset + i];
    if (c == 0) return text;
    if (c < 0x20 || c == 0x7f) return std::nullopt;
    text.push_back(static_cast<char>(c));
  }
  return text;  // no NUL inside the array: the kernel truncated without one
}

std::string procLabel(const ProcessRecord& record) {
  return "proc " + hex(record.address) + " (pid " + std::to_string(record.pid) + " " + record.comm +
         ")";
}

}  // namespace

ProcWalker::ProcWalker(const XnuKernel& kernel, ProcWalkerLimits limits)
    : kernel_(kernel), limits_(limits) {}

std::optional<ProcessRecord> ProcWalker::readProc(std::uint64_t procVa, std::string* whyNot) const {
  const XnuLayout& layout = kernel_.layout();
  auto fail = [&](const std::string& reason) -> std::optional<ProcessRecord> {
    if (whyNot) *whyNot = reason;
    return std::nullopt;
  };
  if (!isPlausibleKernelPointer(procVa)) return fail(hex(procVa) + " is not a kernel pointer");
  if (layout.procSize == 0 || layout.procSize > kMaxProcStructSize) {
    return fail("profile gives an implausible sizeof(struct proc) " + hex(layout.procSize));
  }
  std::vector<std::uint8_t> bytes(layout.procSize);
  const std::size_t got = kernel_.memory().read(procVa, bytes);
  if (got < bytes.size()) {
    return fail("struct proc at " + hex(procVa) + " is unreadable at " + hex(procVa + got));
  }

  ProcessRecord record;
  record.address = procVa;
  record.pid = static_cast<std::int32_t>(loadU32(bytes, layout.procPid));
  record.ppid = static_cast<std::int32_t>(loadU32(bytes, layout.procPpid));
  if (record.pid < 0 || record.pid > kPidMax) {
    return fail("struct proc at " + hex(procVa) + " has implausible pid " +
                std::to_string(record.pid));
  }
  if (record.ppid < 0 || record.ppid > kPidMax) {
    return fail("struct proc at " + hex(procVa) + " has implausible ppid " +
                std::to_string(record.ppid));
  }
  const auto comm = fixedString(bytes, layout.procComm, layout.commLength);
  if (!comm || comm->empty()) {
    return fail("struct proc at " + hex(procVa) + " has no printable p_comm");
  }
  record.comm = *comm;
  if (layout.procName) {
    record.pName = fixedString(bytes, *layout.procName, layout.nameLength).value_or("");
  }
  record.parentAddress = loadU64(bytes, layout.procParent);
  if (layout.procStartSec) {
    record.startSeconds = static_cast<std::int64_t>(loadU64(bytes, *layout.procStartSec));
    record.startMicroseconds = layout.procStartUsec ? loadU32(bytes, *layout.procStartUsec) : 0;
  }

  // Credentials: p_ucred, or p_proc_ro → proc_ro's p_ucred (12.1+).
  std::optional<std::uint64_t> ucred;
  if (layout.procUcred) {
    ucred = loadU64(bytes, *layout.procUcred);
  } else if (layout.procProcRo && layout.procRoUcred) {
    const std::uint64_t procRo = loadU64(bytes, *layout.procProcRo);
    if (isPlausibleKernelPointer(procRo)) {
      ucred = kernel_.memory().readPointer(procRo + *layout.procRoUcred);
    }
  }
  if (ucred && isPlausibleKernelPointer(*ucred)) {
    record.uid = kernel_.memory().readU32(*ucred + layout.ucredUid);
    if (layout.ucredGid) record.gid = kernel_.memory().readU32(*ucred + *layout.ucredGid);
  }
  return record;
}

bool ProcWalker::looksLikeTask(std::uint64_t taskVa) const {
  const XnuLayout& layout = kernel_.layout();
  const auto map = kernel_.memory().readPointer(taskVa + layout.taskMap);
  const auto next = kernel_.memory().readPointer(taskVa + layout.taskQueueNext);
  return map && next && isPlausibleKernelPointer(*map) && isPlausibleKernelPointer(*next);
}

std::optional<std::uint64_t> ProcWalker::taskOfProc(std::uint64_t procVa) const {
  const XnuLayout& layout = kernel_.layout();
  if (layout.procTask) {
    const auto task = kernel_.memory().readPointer(procVa + *layout.procTask);
    if (!task || !isPlausibleKernelPointer(*task)) return std::nullopt;
    return task;
  }
  for (const std::uint64_t distance : {layout.procToTaskDistance, layout.procToTaskDistanceAlt}) {
    if (distance != 0 && looksLikeTask(procVa + distance)) return procVa + distance;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> ProcWalker::procOfTask(std::uint64_t taskVa) const {
  const XnuLayout& layout = kernel_.layout();
  if (layout.taskBsdInfo) {
    const auto proc = kernel_.memory().readPointer(taskVa + *layout.taskBsdInfo);
    if (!proc || !isPlausibleKernelPointer(*proc)) return std::nullopt;
    return proc;
  }
  for (const std::uint64_t distance : {layout.procToTaskDistance, layout.procToTaskDistanceAlt}) {
    if (distance == 0 || taskVa < distance) continue;
    if (readProc(taskVa - distance, nullptr)) return taskVa - distance;
  }
  return std::nullopt;
}

void ProcWalker::fillTask(ProcessRecord& record) const {
  const XnuLayout& layout = kernel_.layout();
  const auto task = taskOfProc(record.address);
  if (!task) return;  // zombies have none
  record.task = *task;
  const auto map = kernel_.memory().readPointer(*task + layout.taskMap);
  if (!map || !isPlausibleKernelPointer(*map)) return;
  record.map = *map;
  if (!layout.vmMapsUnavailable.empty()) return;  // no vm_map layout: no pmap either
  const auto pmap = kernel_.memory().readPointer(*map + layout.mapPmap);
  if (!pmap || !isPlausibleKernelPointer(*pmap)) return;
  record.pmapCr3 = kernel_.memory().readU64(*pmap + layout.pmapCr3);
}

ProcWalker::ListWalk ProcWalker::walkProcList(const std::string& listName,
                                              std::uint64_t headVa) const {
  ListWalk result;
  const auto first = kernel_.memory().readPointer(headVa);
  if (!first) {
    result.status.incomplete(listName + ": list head at " + hex(headVa) +
                             " is unreadable; the list was not walked");
    return result;
  }
  std::unordered_set<std::uint64_t> seen;
  std::uint64_t current = *first;
  std::string from = listName + " head";
  while (current != 0) {
    if (result.procs.size() >= limits_.maxProcesses) {
      result.status.incomplete(listName + ": stopped after " +
                               std::to_string(limits_.maxProcesses) +
                               " processes (limit); the list may be cyclic or corrupt");
      break;
    }
    if (!seen.insert(current).second) {
      result.status.incomplete(listName + ": " + from + " links back to proc " + hex(current) +
                               " already visited (a cycle); walk stopped after " +
                               std::to_string(result.procs.size()) + " processes");
      break;
    }
    std::string whyNot;
    const auto record = readProc(current, &whyNot);
    if (!record) {
      result.status.incomplete(listName + ": " + from + " points to " + hex(current) +
                               ", not a readable proc (" + whyNot + "); walk stopped after " +
                               std::to_string(result.procs.size()) + " processes");
      break;
    }
    result.procs.push_back(current);
    result.records.push_back(*record);
    const auto next = kernel_.memory().readPointer(current + kernel_.layout().procListNext);
    if (!next) {
      result.status.incomplete(listName + ": p_list.le_next of " + procLabel(*record) +
                               " is unreadable; walk stopped");
      break;
    }
    from = "p_list.le_next of " + procLabel(*record);
    current = *next;
  }
  return result;
}

ProcWalker::ListWalk ProcWalker::walkTaskQueue(std::uint64_t headVa) const {
  // `tasks` is an element-linked queue (osfmk/kern/queue.h, queue_enter): the head's
  // next and every task's tasks.next point at the next *task*, the last one back at
  // the head.
  ListWalk result;
  const XnuLayout& layout = kernel_.layout();
  const auto first = kernel_.memory().readPointer(headVa);
  if (!first) {
    result.status.incomplete("tasks: queue head at " + hex(headVa) +
                             " is unreadable; the task queue was not walked");
    return result;
  }
  std::unordered_set<std::uint64_t> seen;
  std::uint64_t task = *first;
  std::string from = "_tasks head";
  while (task != headVa) {
    if (seen.size() >= limits_.maxProcesses) {
      result.status.incomplete("tasks: stopped after " + std::to_string(limits_.maxProcesses) +
                               " tasks (limit); the queue may be cyclic or corrupt");
      break;
    }
    if (!isPlausibleKernelPointer(task)) {
      result.status.incomplete("tasks: " + from + " is " + hex(task) +
                               ", not a kernel pointer; walk stopped after " +
                               std::to_string(seen.size()) + " tasks");
      break;
    }
    if (!seen.insert(task).second) {
      result.status.incomplete("tasks: " + from + " links back to task " + hex(task) +
                               " without returning to the head (a cycle); walk stopped");
      break;
    }
    // A task without a readable proc (kernel-only, or being torn down) is skipped;
    // its queue links still lead on.
    if (const auto proc = procOfTask(task)) result.procs.push_back(*proc);
    const auto next = kernel_.memory().readPointer(task + layout.taskQueueNext);
    if (!next) {
      result.status.incomplete("tasks: tasks.next of task " + hex(task) +
                               " is unreadable; walk stopped");
      break;
    }
    from = "tasks.next of task " + hex(task);
    task = *next;
  }
  return result;
}

ProcWalker::ListWalk ProcWalker::walkPidHash(std::uint64_t tableVa) const {
  // struct smr_hash (osfmk/kern/smr_hash.h): the order (64 − log2 of the bucket
  // count) sits in the top 16 bits of smrh_array, over the array's kernel address.
  constexpr unsigned kOrderShift = 48;
  constexpr unsigned kMaxBucketBits = 20;
  ListWalk result;
  const XnuLayout& layout = kernel_.layout();
  const auto word = kernel_.memory().readU64(tableVa + layout.smrHashArray);
  if (!word) {
    result.status.incomplete("pid_hash: table at " + hex(tableVa) +
                             " is unreadable; the pid hash was not walked");
    return result;
  }
  const unsigned order = static_cast<unsigned>(*word >> kOrderShift);
  const std::uint64_t array = *word | (~0ull << kOrderShift);
  if (order < 64 - kMaxBucketBits || order > 63 || !isPlausibleKernelPointer(array)) {
    result.status.incomplete("pid_hash: smrh_array " + hex(*word) +
                             " is not an order and a bucket array; the pid hash was not walked");
    return result;
  }
  const std::uint64_t buckets = 1ull << (64 - order);
  std::unordered_set<std::uint64_t> seen;
  for (std::uint64_t bucket = 0; bucket < buckets; ++bucket) {
    auto link = kernel_.memory().readPointer(array + 8 * bucket);
    if (!link) {
      result.status.incomplete("pid_hash: bucket " + std::to_string(bucket) + " at " +
                               hex(array + 8 * bucket) + " is unreadable; walk stopped");
      break;
    }
    std::string from = "bucket " + std::to_string(bucket);
    while (*link != 0) {
      if (seen.size() >= limits_.maxProcesses) {
        result.status.incomplete("pid_hash: stopped after " + std::to_string(limits_.maxProcesses) +
                                 " processes (limit)");
        return result;
      }
      if (!isPlausibleKernelPointer(*link)) {
        result.status.incomplete("pid_hash: " + from + " is " + hex(*link) +
                                 ", not a kernel pointer; the rest of that chain was skipped");
        break;
      }
      const std::uint64_t proc = *link - *layout.procHashLink;
      if (!seen.insert(proc).second) {
        result.status.incomplete("pid_hash: " + from + " links back to proc " + hex(proc) +
                                 " already visited (a cycle); the rest of that chain was skipped");
        break;
      }
      std::string whyNot;
      const auto record = readProc(proc, &whyNot);
      if (!record) {
        result.status.incomplete("pid_hash: " + from + " leads to " + hex(proc) +
                                 ", not a readable proc (" + whyNot +
                                 "); the rest of that chain was skipped");
        break;
      }
      result.procs.push_back(proc);
      result.records.push_back(*record);
      link = kernel_.memory().readPointer(*link);  // smrq_slink.next
      if (!link) {
        result.status.incomplete("pid_hash: p_hash.next of " + procLabel(*record) +
                                 " is unreadable; the rest of that chain was skipped");
        break;
      }
      from = "p_hash.next of " + procLabel(*record);
    }
  }
  return result;
}

ProcessListing ProcWalker::walk() const {
  const XnuLayout& layout = kernel_.layout();
  XnuLayout::require(layout.processesUnavailable);
  ProcessListing listing;
  std::unordered_map<std::uint64_t, std::size_t> byAddress;

  auto addFromList = [&](const ListWalk& walk, ProcSource source) {
    for (std::size_t i = 0; i < walk.procs.size(); ++i) {
      const std::uint64_t proc = walk.procs[i];
      auto it = byAddress.find(proc);
      if (it == byAddress.end()) {
        auto record =
            i < walk.records.size() ? std::optional(walk.records[i]) : readProc(proc, nullptr);
        if (!record) continue;
        record->source = source;
        fillTask(*record);
        it = byAddress.emplace(proc, listing.processes.size()).first;
        listing.processes.push_back(std::move(*record));
      }
      ProcessRecord& record = listing.processes[it->second];
      switch (source) {
        case ProcSource::Allproc:
          record.inAllproc = true;
          break;
        case ProcSource::Zombproc:
          record.inZombproc = true;
          break;
        case ProcSource::Tasks:
          record.inTasksQueue = true;
          break;
        case ProcSource::PidHash:
          record.inPidHash = true;
          break;
      }
    }
    listing.status.merge(walk.status);
  };

  if (const auto allproc = kernel_.runtime(layout.symAllproc)) {
    addFromList(walkProcList("allproc", *allproc), ProcSource::Allproc);
  } else {
    listing.status.incomplete(
        "allproc: the profile has no _allproc symbol; only the task "
        "queue was walked");
  }
  if (const auto zombproc = kernel_.runtime(layout.symZombproc)) {
    addFromList(walkProcList("zombproc", *zombproc), ProcSource::Zombproc);
  }
  if (const auto tasks = kernel_.runtime(layout.symTasks)) {
    const std::size_t before = listing.processes.size();
    addFromList(walkTaskQueue(*tasks), ProcSource::Tasks);
    const std::size_t recovered = listing.processes.size() - before;
    if (recovered > 0 && layout.symAllproc) {
      listing.status.incomplete(
          "tasks: " + std::to_string(recovered) +
          " process(es) are on the task queue but not on allproc/zombproc (smeared or "
          "unlinked list); they are listed with source \"tasks\"");
    }
  } else {
    listing.status.warnings.push_back(
        "tasks: the profile has no _tasks symbol; allproc could not be cross-checked");
  }
  if (const auto pidHash = kernel_.runtime(layout.symPidHash)) {
    const std::size_t before = listing.processes.size();
    addFromList(walkPidHash(*pidHash), ProcSource::PidHash);
    const std::size_t recovered = listing.processes.size() - before;
    if (recovered > 0) {
      listing.status.incomplete(
          "pid_hash: " + std::to_string(recovered) +
          " process(es) are in the pid hash table but on no process list or task queue; "
          "they are listed with source \"pid_hash\"");
    }
  }
  if (listing.processes.empty()) {
    listing.status.incomplete("no process could be recovered from allproc, zombproc or tasks");
  }
  return listing;
}

}  // namespace xnuscope
