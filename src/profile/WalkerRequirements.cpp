#include "profile/WalkerRequirements.h"

#include <set>

namespace xnuscope {

const std::vector<std::string>& walkerStructNames() {
  static const std::vector<std::string> names = {
      // processes: allproc/zombproc lists, credentials, start time
      "proc", "proc_ro", "ucred", "posix_cred", "timeval", "pgrp", "session",
      // tasks and address spaces
      "task", "queue_entry", "_vm_map", "vm_map_header", "vm_map_links", "vm_map_entry",
      "vm_map_store", "vm_map_object", "pmap",
      // kernel identity, kexts, message buffer, system calls
      "lowglo", "kmod_info", "OSKextLoadedKextSummaryHeader", "OSKextLoadedKextSummary", "msgbuf",
      "sysent", "mach_header_64", "segment_command_64", "load_command",
      // macOS 14+: the pid lookup table (struct smr_hash, proc.p_hash links)
      "smr_hash", "smrq_slink",
      // forensics: open files, vnodes, mounts, sockets, dispatch tables, vm objects
      "filedesc", "fileproc", "fileglob", "fileops", "vnode", "mount", "vfsstatfs", "socket",
      "protosw", "domain", "pipe", "kqueue", "mach_trap_t", "sysctl_oid", "sysctl_oid_list",
      "vm_object", "inpcb", "inpcbinfo", "tcpcb", "in_addr_4in6", "ifnet", "ifaddr", "sockaddr",
      "sockaddr_in", "sockaddr_in6", "sockaddr_dl"};
  return names;
}

const std::vector<std::string>& walkerSymbolNames() {
  static const std::vector<std::string> names = {
      "__mh_execute_header", "_BootPML4", "_IdlePML4", "_IdlePDPT", "_lowGlo", "_version",
      "_version_major", "_version_minor", "_version_revision", "_osversion", "_osrelease",
      "_ostype", "_kernel_uuid_string", "_allproc", "_zombproc", "_kernproc", "_nprocs", "_tasks",
      "_tasks_count", "_kernel_task", "_kernel_map", "_kmod", "_gLoadedKextSummaries", "_msgbufp",
      "_sysent", "_nsysent", "_vm_kernel_slide", "_vm_kernel_stext", "_vm_kernel_etext",
      "_boottime_sec", "_hz", "_last_kernel_symbol", "_pid_hash",
      // accessor functions whose code reveals offsets when no profile fits
      "_proc_pid", "_proc_ppid", "_proc_task", "_get_bsdtask_info", "_get_task_map", "_proc_name",
      "_proc_ucred", "_kauth_cred_getuid", "_get_task_pmap", "_get_map_min", "_get_map_max",
      "_vm_map_pmap", "_proc_uniqueid",
      // forensics: dispatch tables (sysent is found through unix_syscall64 when its
      // symbol is absent, as in 10.13.6), mount list, file operations
      "_mach_trap_table", "_mach_trap_count", "_sysctl__children", "_unix_syscall64", "_mountlist",
      "_rootvnode", "_vnops", "_socketops", "_pipeops", "_kqueueops", "_etext", "_ifnet_head",
      "_tcbinfo", "_udbinfo"};
  return names;
}

Profile compactForWalkers(const Profile& full) {
  Profile compact = full;
  compact.structs.clear();
  compact.symbols.clear();
  std::vector<std::string> pending(walkerStructNames().begin(), walkerStructNames().end());
  std::set<std::string> seen;
  // Worklist over embedded members; `seen` bounds it by the number of structs.
  while (!pending.empty()) {
    const std::string name = pending.back();
    pending.pop_back();
    if (!seen.insert(name).second) continue;
    const auto it = full.structs.find(name);
    if (it == full.structs.end()) continue;
    compact.structs[name] = it->second;
    for (const auto& [fieldName, field] : it->second.fields) {
      const std::string embedded = embeddedStructName(field.type);
      if (!embedded.empty()) pending.push_back(embedded);
    }
  }
  for (const auto& name : walkerSymbolNames()) {
    if (const auto address = full.symbol(name)) compact.symbols[name] = *address;
  }
  // Keep only the dropped members the walkers could have needed.
  compact.dropped.clear();
  const std::set<std::string> symbolNames(walkerSymbolNames().begin(), walkerSymbolNames().end());
  for (const auto& [key, reason] : full.dropped) {
    const bool symbol = key.starts_with("symbol ") && symbolNames.count(key.substr(7)) != 0;
    const bool member = seen.count(key.substr(0, key.find('.'))) != 0;
    if (symbol || member) compact.dropped[key] = reason;
  }
  return compact;
}

}  // namespace xnuscope
