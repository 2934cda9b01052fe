// Offsets read out of the kernel's accessor functions: each accessor is followed
// by AccessorAnalyzer and its data flow is matched against what the XNU source
// says it does (proc_pid returns p->p_pid, or -1 for NULL; get_task_pmap returns
// t->map->pmap; proc_task on macOS 13+ returns p + proc_struct_size, ...). One
// accessor gives one fact per field; a field read by two accessors (task.map by
// get_task_map and get_task_pmap, p_comm by proc_name and proc_best_name) gets two.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "derive/AccessorAnalyzer.h"

namespace xnuscope::derive {

// One offset (or value) one accessor revealed.
struct CodeFact {
  std::string field;  // "proc.p_pid", "proc_struct_size", ...
  std::uint64_t value = 0;
  std::string
      evidence;  // "proc_pid+4: mov eax, dword ptr [rdi + 0x10] (returns load32(arg0 + 0x10))"
};

// Why an accessor that exists gave nothing (field → reason).
struct CodeFailure {
  std::string field;
  std::string reason;
};

struct AccessorFindings {
  std::vector<CodeFact> facts;
  std::vector<CodeFailure> failures;
  std::vector<std::string> fieldsFor(const std::string& field) const;
};

struct AccessorEnvironment {
  // Runtime VA of an accessor, and the bytes it may span (to the next symbol).
  std::function<std::optional<std::pair<std::uint64_t, std::uint64_t>>(const std::string& symbol)>
      locate;
  AccessorAnalyzer::CodeReader readCode;
  // Runtime VA → symbol name, for calls (proc_find, strlcpy) and globals.
  std::function<std::string(std::uint64_t va)> nameOf;
  // Reads a 64-bit kernel global (proc_struct_size).
  std::function<std::optional<std::uint64_t>(std::uint64_t va)> readU64;
};

AccessorFindings readAccessors(const AccessorEnvironment& env);

}  // namespace xnuscope::derive
