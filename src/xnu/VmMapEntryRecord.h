// One vm_map_entry of a task's address space, decoded from its layout variant.
#pragma once

#include <cstdint>
#include <string>

namespace xnuscope {

struct VmMapEntryRecord {
  std::uint64_t address = 0;  // the vm_map_entry itself (kernel VA)
  std::uint64_t start = 0;
  std::uint64_t end = 0;         // exclusive
  std::uint32_t protection = 0;  // VM_PROT_READ 1 | WRITE 2 | EXECUTE 4
  std::uint32_t maxProtection = 0;
  std::uint32_t inheritance = 0;  // VM_INHERIT_SHARE 0, COPY 1, NONE 2, DONATE_COPY 3
  std::uint64_t offset = 0;       // VME_OFFSET: offset into the object
  std::uint32_t tag = 0;          // VM_MEMORY_* user tag (VME_ALIAS)
  bool isSubmap = false;
  std::uint64_t object = 0;  // vm_object, or the submap's _vm_map when isSubmap

  std::uint64_t size() const { return end - start; }
};

// "r-x" style letters for a VM_PROT_* value (bit 3, UEXEC on 12+, is ignored).
std::string protectionLetters(std::uint32_t protection);
// "share", "copy", "none", "donate_copy" (vm_inherit.h); the number otherwise.
std::string inheritanceName(std::uint32_t inheritance);

}  // namespace xnuscope
