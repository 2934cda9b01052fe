// One process as recovered from kernel memory: identity from struct proc, its task
// and address space, and which kernel lists it was found on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace xnuscope {

// The list a process row was first recovered from.
enum class ProcSource { Allproc, Zombproc, Tasks, PidHash };

std::string procSourceName(ProcSource source);

struct ProcessRecord {
  std::int32_t pid = 0;
  std::int32_t ppid = 0;
  std::optional<std::uint32_t> uid;          // nullopt: credentials unreadable
  std::optional<std::uint32_t> gid;          // real gid (cr_rgid) when the layout has it
  std::string comm;                          // p_comm (MAXCOMLEN = 16 characters)
  std::string pName;                         // p_name (up to 32 characters); empty when never set
  std::uint64_t address = 0;                 // struct proc
  std::uint64_t parentAddress = 0;           // p_pptr
  std::uint64_t task = 0;                    // 0: none (zombie) or unreadable
  std::uint64_t map = 0;                     // task->map
  std::optional<std::uint64_t> pmapCr3;      // task->map->pmap->pm_cr3
  std::optional<std::int64_t> startSeconds;  // p_start.tv_sec (Unix time)
  std::uint32_t startMicroseconds = 0;
  ProcSource source = ProcSource::Allproc;
  bool inAllproc = false;
  bool inZombproc = false;
  bool inTasksQueue = false;
  bool inPidHash = false;  // macOS 14+: found in the pid lookup table

  bool zombie() const { return inZombproc; }
  // p_name when the kernel set it (it holds the full name), else p_comm.
  const std::string& name() const { return pName.empty() ? comm : pName; }
};

}  // namespace xnuscope
