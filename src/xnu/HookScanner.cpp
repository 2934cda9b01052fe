#include "xnu/HookScanner.h"

#include <cstring>
#include <unordered_set>

#include "core/Hex.h"
#include "xnu/ProfileFields.h"

namespace xnuscope {

namespace {
constexpr std::uint32_t kCtlTypeMask = 0xf, kCtlTypeNode = 1;
constexpr std::size_t kMaxSysctlName = 128;
constexpr std::size_t kInlineWindow = 16;
}  // namespace

HookLayout HookLayout::fromProfile(const Profile& profile) {
  const ProfileFields f(profile, "hooks");
  HookLayout layout;
  layout.symSysent = f.optionalSymbol("_sysent");
  layout.symUnixSyscall64 = f.optionalSymbol("_unix_syscall64");
  if (!layout.symSysent && !layout.symUnixSyscall64) f.symbol({"_sysent", "_unix_syscall64"});
  layout.symNsysent = f.symbol({"_nsysent"});
  layout.symMachTrapTable = f.symbol({"_mach_trap_table"});
  layout.symMachTrapCount = f.symbol({"_mach_trap_count"});
  layout.symSysctlChildren = f.symbol({"_sysctl__children"});
  layout.sysentSize = f.size("sysent");
  layout.sysentCall = f.offset("sysent", "sy_call");
  if (f.hasStruct("mach_trap_t")) {
    layout.trapSize = f.size("mach_trap_t");
    layout.trapFunction = f.offset("mach_trap_t", "mach_trap_function");
    layout.trapFromProfile = true;
  }
  layout.oidLink = f.offset("sysctl_oid", "oid_link");  // sle_next is its only member
  layout.oidNumber = f.offset("sysctl_oid", "oid_number");
  layout.oidKind = f.offset("sysctl_oid", "oid_kind");
  layout.oidArg1 = f.offset("sysctl_oid", "oid_arg1");
  layout.oidName = f.offset("sysctl_oid", "oid_name");
  layout.oidHandler = f.offset("sysctl_oid", "oid_handler");
  return layout;
}

std::string HookScanner::moduleOf(std::uint64_t address, const HookListing& listing) const {
  if (address >= listing.textStart && address < listing.textEnd) return "kernel";
  for (const auto& kext : kexts_) {
    if (address >= kext.address && address - kext.address < kext.size) return kext.name;
  }
  return "unknown";
}

void HookScanner::check(HookEntry& entry, HookListing& listing) const {
  entry.module = moduleOf(entry.handler, listing);
  std::vector<std::uint8_t> code(kInlineWindow);
  const std::size_t got = kernel_.memory().read(entry.handler, code);
  code.resize(got);
  if (entry.module == "unknown") {
    entry.hooked = true;
    entry.kind = "pointer";
    entry.target = entry.handler;
  } else if (got > 0) {
    // Inline hook: the handler's first instructions leave for code nobody loaded.
    const auto insns = disassembleX86_64(code, entry.handler, 3);
    std::optional<std::uint64_t> target;
    if (!insns.empty()) {
      const Instruction& first = insns[0];
      if (first.isJump && first.immediate && !first.registerTarget) {
        target = first.immediate;  // jmp rel8/rel32
      } else if (first.isJump && first.ripTarget) {
        target = kernel_.memory().readPointer(*first.ripTarget);  // jmp qword ptr [rip + d]
      } else if (insns.size() >= 2 && first.mnemonic == "movabs" && first.immediate &&
                 insns[1].isJump && insns[1].registerTarget) {
        target = first.immediate;
      } else if (insns.size() >= 2 && first.mnemonic == "push" && first.immediate &&
                 insns[1].isReturn) {
        target = first.immediate;
      }
    }
    if (target && moduleOf(*target, listing) == "unknown") {
      entry.hooked = true;
      entry.kind = "inline";
      entry.target = target;
    }
  }
  if (entry.hooked && got > 0) entry.disassembly = disassembleX86_64(code, entry.handler, 4);
}

std::optional<std::uint64_t> HookScanner::findSysent(HookListing& listing) const {
  if (layout_.symSysent) {
    listing.sysentSource = "_sysent";
    return kernel_.runtime(layout_.symSysent);
  }
  const std::uint64_t function = *kernel_.runtime(layout_.symUnixSyscall64);
  std::vector<std::uint8_t> code(256);
  code.resize(kernel_.memory().read(function, code));
  for (const auto& insn : disassembleX86_64(code, function, 64)) {
    if (insn.mnemonic != "lea" || !insn.ripTarget) continue;
    const std::uint64_t table = *insn.ripTarget;
    // The table's first handler (nosys) must be kernel code.
    const auto first = kernel_.memory().readPointer(table + layout_.sysentCall);
    if (first && *first >= listing.textStart && *first < listing.textEnd) {
      listing.sysentSource = "unix_syscall64 lea";
      return table;
    }
  }
  listing.status.incomplete(
      "no _sysent symbol, and unix_syscall64 at " + hex(function) +
      " has no rip-relative lea of a plausible sysent table; sysent not checked");
  return std::nullopt;
}

void HookScanner::scanSysent(HookListing& listing) const {
  const auto table = findSysent(listing);
  if (!table) return;
  listing.sysentAddress = *table;
  const auto count = kernel_.memory().readU32(*kernel_.runtime(layout_.symNsysent));
  if (!count || *count == 0 || *count > kMaxTableEntries) {
    listing.status.incomplete("nsysent is unreadable or implausible; sysent not checked");
    return;
  }
  for (std::uint32_t i = 0; i < *count; ++i) {
    const auto handler =
        kernel_.memory().readPointer(*table + i * layout_.sysentSize + layout_.sysentCall);
    if (!handler) {
      listing.status.incomplete("sysent[" + std::to_string(i) + "] is unreadable; stopped");
      return;
    }
    HookEntry entry;
    entry.table = "sysent";
    entry.index = i;
    entry.name = bsdSyscallName(i);
    entry.handler = *handler;
    check(entry, listing);
    listing.entries.push_back(std::move(entry));
  }
}

void HookScanner::scanMachTraps(HookListing& listing) const {
  const std::uint64_t table = *kernel_.runtime(layout_.symMachTrapTable);
  const auto count = kernel_.memory().readU32(*kernel_.runtime(layout_.symMachTrapCount));
  if (!count || *count == 0 || *count > kMaxTableEntries) {
    listing.status.incomplete(
        "mach_trap_count is unreadable or implausible; Mach traps not checked");
    return;
  }
  for (std::uint32_t i = 0; i < *count; ++i) {
    const auto handler =
        kernel_.memory().readPointer(table + i * layout_.trapSize + layout_.trapFunction);
    if (!handler) {
      listing.status.incomplete("mach_trap_table[" + std::to_string(i) +
                                "] is unreadable; stopped");
      return;
    }
    HookEntry entry;
    entry.table = "mach_trap_table";
    entry.index = i;
    entry.name = machTrapName(i);
    entry.handler = *handler;
    check(entry, listing);
    listing.entries.push_back(std::move(entry));
  }
}

void HookScanner::scanSysctl(HookListing& listing) const {
  const VirtualMemory& memory = kernel_.memory();
  struct Pending {
    std::uint64_t oid;
    std::string prefix;
    int depth;
  };
  std::vector<Pending> stack;
  std::unordered_set<std::uint64_t> seen;
  std::size_t visited = 0;
  auto pushList = [&](std::uint64_t listHead, const std::string& prefix, int depth) {
    const auto first = memory.readPointer(listHead);
    if (!first) {
      listing.status.incomplete("sysctl list " + hex(listHead) + " (" +
                                (prefix.empty() ? "top level" : prefix) + ") is unreadable");
      return;
    }
    // Collect the siblings first so that they are visited in list order.
    std::vector<Pending> siblings;
    for (std::uint64_t oid = *first; oid != 0;) {
      if (!isPlausibleKernelPointer(oid) || !seen.insert(oid).second ||
          siblings.size() > kMaxSysctlOids) {
        listing.status.incomplete("sysctl list under '" + prefix + "' reaches " + hex(oid) +
                                  " (cycle or not a kernel pointer); siblings after it skipped");
        break;
      }
      siblings.push_back({oid, prefix, depth});
      const auto next = memory.readPointer(oid + layout_.oidLink);
      if (!next) {
        listing.status.incomplete("sysctl oid " + hex(oid) + " is unreadable");
        break;
      }
      oid = *next;
    }
    for (auto it = siblings.rbegin(); it != siblings.rend(); ++it) stack.push_back(*it);
  };
  pushList(*kernel_.runtime(layout_.symSysctlChildren), "", 0);
  while (!stack.empty()) {
    const Pending item = stack.back();
    stack.pop_back();
    if (++visited > kMaxSysctlOids) {
      listing.status.incomplete("sysctl tree: stopped after " + std::to_string(kMaxSysctlOids) +
                                " oids");
      break;
    }
    const auto namePtr = memory.readPointer(item.oid + layout_.oidName);
    const auto kind = memory.readU32(item.oid + layout_.oidKind);
    const auto handler = memory.readPointer(item.oid + layout_.oidHandler);
    const auto arg1 = memory.readPointer(item.oid + layout_.oidArg1);
    const auto name = namePtr ? memory.readCString(*namePtr, kMaxSysctlName) : std::nullopt;
    if (!kind || !handler || !arg1 || !name) {
      listing.status.incomplete("sysctl oid " + hex(item.oid) + " under '" + item.prefix +
                                "' is unreadable");
      continue;
    }
    const std::string full = item.prefix.empty() ? *name : item.prefix + "." + *name;
    if ((*kind & kCtlTypeMask) == kCtlTypeNode && *handler == 0) {
      if (item.depth + 1 >= kMaxSysctlDepth) {
        listing.status.incomplete("sysctl tree deeper than " + std::to_string(kMaxSysctlDepth) +
                                  " at " + full);
      } else if (isPlausibleKernelPointer(*arg1)) {
        pushList(*arg1, full, item.depth + 1);
      }
      continue;
    }
    if (*handler == 0) continue;
    HookEntry entry;
    entry.table = "sysctl";
    entry.name = full;
    entry.handler = *handler;
    check(entry, listing);
    listing.entries.push_back(std::move(entry));
  }
}

HookListing HookScanner::scan() const {
  HookListing listing;
  for (const auto& segment : kernel_.info().segments) {
    if (segment.name == "__TEXT") {
      listing.textStart = segment.runtimeStart;
      listing.textEnd = segment.runtimeStart + segment.size;
    }
  }
  if (listing.textEnd == 0) {
    listing.status.incomplete(
        "the kernel's __TEXT segment is unknown; every handler looks foreign");
  }
  listing.kextCount = kexts_.size();
  scanSysent(listing);
  scanMachTraps(listing);
  scanSysctl(listing);
  return listing;
}

std::string bsdSyscallName(std::uint32_t number) {
  // bsd/kern/syscalls.master, numbers 0–61 (unchanged since 4.4BSD-Lite).
  static const char* const names[] = {"syscall",
                                      "exit",
                                      "fork",
                                      "read",
                                      "write",
                                      "open",
                                      "close",
                                      "wait4",
                                      "",
                                      "link",
                                      "unlink",
                                      "",
                                      "chdir",
                                      "fchdir",
                                      "mknod",
                                      "chmod",
                                      "chown",
                                      "",
                                      "getfsstat",
                                      "",
                                      "getpid",
                                      "",
                                      "",
                                      "setuid",
                                      "getuid",
                                      "geteuid",
                                      "ptrace",
                                      "recvmsg",
                                      "sendmsg",
                                      "recvfrom",
                                      "accept",
                                      "getpeername",
                                      "getsockname",
                                      "access",
                                      "chflags",
                                      "fchflags",
                                      "sync",
                                      "kill",
                                      "",
                                      "getppid",
                                      "",
                                      "dup",
                                      "pipe",
                                      "getegid",
                                      "",
                                      "",
                                      "sigaction",
                                      "getgid",
                                      "sigprocmask",
                                      "getlogin",
                                      "setlogin",
                                      "acct",
                                      "sigpending",
                                      "sigaltstack",
                                      "ioctl",
                                      "reboot",
                                      "revoke",
                                      "symlink",
                                      "readlink",
                                      "execve",
                                      "umask",
                                      "chroot"};
  return number < sizeof names / sizeof names[0] ? names[number] : "";
}

std::string machTrapName(std::uint32_t number) {
  // osfmk/kern/syscall_sw.c (trap numbers are the negated Mach syscall numbers).
  switch (number) {
    case 10:
      return "_kernelrpc_mach_vm_allocate_trap";
    case 12:
      return "_kernelrpc_mach_vm_deallocate_trap";
    case 14:
      return "_kernelrpc_mach_vm_protect_trap";
    case 26:
      return "mach_reply_port";
    case 27:
      return "thread_self_trap";
    case 28:
      return "task_self_trap";
    case 29:
      return "host_self_trap";
    case 31:
      return "mach_msg_trap";
    case 32:
      return "mach_msg_overwrite_trap";
    case 33:
      return "semaphore_signal_trap";
    case 36:
      return "semaphore_wait_trap";
    case 89:
      return "mach_timebase_info_trap";
    case 90:
      return "mach_wait_until_trap";
    case 91:
      return "mk_timer_create_trap";
    default:
      return "";
  }
}

}  // namespace xnuscope
