// Bytes read from one virtual address space (the kernel's or a process'), with the
// ranges that could not be read: not mapped, or mapped to a physical page the
// source lacks. Unreadable bytes are zero in `bytes`; `holes` tells them apart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xnu/ProcessMemoryDumper.h"

namespace xnuscope::engine {

// Whose address space: the kernel (pid nullopt) or one process, with the page
// table root that translates it.
struct AddressSpace {
  std::optional<std::int32_t> pid;
  std::string name;        // "kernel" or the process' name
  std::uint64_t root = 0;  // CR3: the kernel DTB or the process' pm_cr3
};

struct VirtualRead {
  AddressSpace space;
  std::uint64_t address = 0;
  std::vector<std::uint8_t> bytes;
  std::vector<VirtualRange> holes;  // merged, ascending

  bool complete() const { return holes.empty(); }
};

struct VirtualDump {
  AddressSpace space;
  MemoryDumpResult result;
};

}  // namespace xnuscope::engine
