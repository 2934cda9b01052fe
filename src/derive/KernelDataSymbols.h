// Kernel globals found by the invariants of the data they point at, for a kernel
// whose symbol table is gone (__LINKEDIT jettisoned, no kernel file):
//   _kernproc  a __DATA pointer to a proc whose p_comm is "kernel_task"
//   _allproc   a __DATA LIST_HEAD whose chain (le_prev pointing back at each link)
//              reaches that proc
//   _tasks     a __DATA queue head whose chain closes on itself and whose elements
//              each lead back to a proc on allproc (a pointer, or a fixed distance)
//   _kmod      lowGlo's lgKmodptr
//   _msgbufp   a __DATA pointer to a struct msgbuf (magic 0x63061)
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "kernel/KernelInfo.h"
#include "mmu/VirtualMemory.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope::derive {

struct DataSymbols {
  std::map<std::string, std::uint64_t> runtime;  // name → runtime VA
  std::map<std::string, std::string> evidence;   // name → the invariant that found it
  std::uint64_t kernproc = 0;                    // the proc itself
  std::uint64_t commOffset = 0;                  // where "kernel_task" sits in it
  std::uint64_t listOffset = 0;                  // p_list.le_next
  std::uint64_t taskChainOffset = 0;             // task.tasks
  std::string failure;                           // why _kernproc/_allproc were not found
};

DataSymbols findSymbolsByData(const PhysicalMemory& physical, const VirtualMemory& memory,
                              const KernelInfo& kernel);

}  // namespace xnuscope::derive
