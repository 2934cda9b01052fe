// A process' argv and environment, read from the exec string area at the top of
// its user stack through its own page tables (what sysctl KERN_PROCARGS2 returns):
// [user_stack − p_argslen, user_stack) holds the executable path, NUL padding,
// then p_argc argument strings and the environment strings, NUL-terminated
// (bsd/kern/kern_exec.c exec_copyout_strings).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "profile/Profile.h"
#include "xnu/ProcessRecord.h"
#include "xnu/XnuKernel.h"

namespace xnuscope {

struct ProcArgsLayout {
  std::uint64_t procArgc = 0;
  std::uint64_t procArgslen = 0;
  std::uint64_t procUserStack = 0;
  // Throws AnalysisError naming the missing proc field.
  static ProcArgsLayout fromProfile(const Profile& profile);
};

enum class ProcArgsStatus {
  Ok,
  Kernel,          // kernel_task: no user stack
  NoAddressSpace,  // zombie or unreadable task/pmap
  NotResident,     // the string area's pages are not in the image
  Unreadable,      // proc fields unreadable or implausible (p_argslen, user_stack)
};
std::string procArgsStatusName(ProcArgsStatus status);

struct ProcArgs {
  std::int32_t pid = 0;
  std::string name;
  ProcArgsStatus status = ProcArgsStatus::Ok;
  std::string execPath;
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::int32_t argc = 0;
  std::uint32_t argslen = 0;
  std::uint64_t userStack = 0;
  std::string detail;  // why a row has no strings
};

class ProcArgsReader {
 public:
  // The string area is at most ARG_MAX (1 MiB on macOS) plus the path.
  static constexpr std::uint32_t kMaxArgsLength = (1u << 20) + 4096;

  ProcArgsReader(const XnuKernel& kernel, const ProcArgsLayout& layout)
      : kernel_(kernel), layout_(layout) {}

  ProcArgs read(const ProcessRecord& process) const;

  // Splits a string area into path, argv (argc of them) and env; public for tests.
  static void split(const std::vector<std::uint8_t>& area, std::int32_t argc, ProcArgs& out);

 private:
  const XnuKernel& kernel_;
  const ProcArgsLayout& layout_;
};

}  // namespace xnuscope
