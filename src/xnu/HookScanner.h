// Rootkit hooks in the kernel's dispatch tables: the BSD system call table
// (sysent: sy_call), the Mach trap table (mach_trap_t: mach_trap_function) and the
// sysctl tree (sysctl_oid: oid_handler, walked from _sysctl__children through
// CTLTYPE_NODE children). A handler outside the kernel's __TEXT and every loaded
// kext is a pointer hook; a handler whose first instructions jump out of them
// (jmp rel/[rip], movabs+jmp reg, push+ret; decoded with Capstone) is an inline hook.
//
// sysent has no exported symbol in some builds (10.13.6): it is then found from
// unix_syscall64, whose first rip-relative `lea` loads the table's address.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "profile/Profile.h"
#include "xnu/Disassembly.h"
#include "xnu/KextRecord.h"
#include "xnu/WalkStatus.h"
#include "xnu/XnuKernel.h"

namespace xnuscope {

struct HookLayout {
  std::optional<std::uint64_t> symSysent, symUnixSyscall64;
  std::uint64_t symNsysent = 0, symMachTrapTable = 0, symMachTrapCount = 0, symSysctlChildren = 0;
  std::uint64_t sysentSize = 0, sysentCall = 0;
  std::uint64_t trapSize = 32, trapFunction = 8;  // osfmk/kern/syscall_sw.h (10.x release)
  bool trapFromProfile = false;
  std::uint64_t oidLink = 0, oidNumber = 0, oidKind = 0, oidArg1 = 0, oidName = 0, oidHandler = 0;
  static HookLayout fromProfile(const Profile& profile);
};

struct HookEntry {
  std::string table;  // "sysent", "mach_trap_table", "sysctl"
  std::optional<std::uint32_t> index;
  std::string name;  // syscall/trap name where known, sysctl dotted name
  std::uint64_t handler = 0;
  std::string module;  // "kernel", a kext bundle id, or "unknown"
  bool hooked = false;
  std::string kind;  // "pointer", "inline" or empty
  std::optional<std::uint64_t> target;
  std::vector<Instruction> disassembly;  // first instructions at the handler (hooked rows)
};

struct HookListing {
  std::vector<HookEntry> entries;  // every entry of every table
  std::uint64_t sysentAddress = 0;
  std::string sysentSource;  // "_sysent" or "unix_syscall64 lea"
  std::uint64_t textStart = 0, textEnd = 0;
  std::size_t kextCount = 0;
  WalkStatus status;
};

class HookScanner {
 public:
  static constexpr std::uint32_t kMaxTableEntries = 4096;
  static constexpr std::size_t kMaxSysctlOids = 50000;
  static constexpr int kMaxSysctlDepth = 16;

  // `kexts`: the loaded kexts (KextWalker) whose ranges count as legitimate code.
  HookScanner(const XnuKernel& kernel, const HookLayout& layout, std::vector<KextRecord> kexts)
      : kernel_(kernel), layout_(layout), kexts_(std::move(kexts)) {}

  HookListing scan() const;

 private:
  std::string moduleOf(std::uint64_t address, const HookListing& listing) const;
  void check(HookEntry& entry, HookListing& listing) const;
  std::optional<std::uint64_t> findSysent(HookListing& listing) const;
  void scanSysent(HookListing& listing) const;
  void scanMachTraps(HookListing& listing) const;
  void scanSysctl(HookListing& listing) const;

  const XnuKernel& kernel_;
  const HookLayout& layout_;
  std::vector<KextRecord> kexts_;
};

// Names of well-known BSD system calls and Mach traps by number (empty if unknown).
std::string bsdSyscallName(std::uint32_t number);
std::string machTrapName(std::uint32_t number);

}  // namespace xnuscope
