#include "xnu/ProcArgsReader.h"

#include "core/Hex.h"
#include "mmu/VirtualMemory.h"
#include "mmu/X86_64Translator.h"
#include "xnu/ProfileFields.h"

namespace xnuscope {

// Top of the x86_64 user address space (MACH_VM_MAX_ADDRESS).
constexpr std::uint64_t kUserSpaceEnd = 0x00007ffffffff000ull;

ProcArgsLayout ProcArgsLayout::fromProfile(const Profile& profile) {
  const ProfileFields fields(profile, "psaux");
  ProcArgsLayout layout;
  layout.procArgc = fields.offset("proc", "p_argc");
  layout.procArgslen = fields.offset("proc", "p_argslen");
  layout.procUserStack = fields.offset("proc", "user_stack");
  return layout;
}

std::string procArgsStatusName(ProcArgsStatus status) {
  switch (status) {
    case ProcArgsStatus::Ok:
      return "ok";
    case ProcArgsStatus::Kernel:
      return "kernel";
    case ProcArgsStatus::NoAddressSpace:
      return "no address space";
    case ProcArgsStatus::NotResident:
      return "not resident";
    case ProcArgsStatus::Unreadable:
      return "unreadable";
  }
  return "unknown";
}

void ProcArgsReader::split(const std::vector<std::uint8_t>& area, std::int32_t argc,
                           ProcArgs& out) {
  std::size_t pos = 0;
  auto next = [&](std::string& text) {
    const std::size_t start = pos;
    while (pos < area.size() && area[pos] != 0) ++pos;
    text.assign(reinterpret_cast<const char*>(area.data()) + start, pos - start);
    if (pos < area.size()) ++pos;  // the NUL
  };
  next(out.execPath);
  while (pos < area.size() && area[pos] == 0) ++pos;  // padding after the path
  for (std::int32_t i = 0; i < argc && pos < area.size(); ++i) {
    std::string arg;
    next(arg);
    out.argv.push_back(std::move(arg));
  }
  while (pos < area.size()) {
    std::string var;
    next(var);
    if (var.empty()) break;  // the environment ends at an empty string
    out.env.push_back(std::move(var));
  }
}

ProcArgs ProcArgsReader::read(const ProcessRecord& process) const {
  ProcArgs args;
  args.pid = process.pid;
  args.name = process.name();
  const VirtualMemory& kmem = kernel_.memory();
  if (process.pid == 0) {
    args.status = ProcArgsStatus::Kernel;
    return args;
  }
  const auto argc = kmem.readU32(process.address + layout_.procArgc);
  const auto argslen = kmem.readU32(process.address + layout_.procArgslen);
  const auto stack = kmem.readU64(process.address + layout_.procUserStack);
  if (!argc || !argslen || !stack) {
    args.status = ProcArgsStatus::Unreadable;
    args.detail = "proc " + hex(process.address) + ": p_argc/p_argslen/user_stack unreadable";
    return args;
  }
  args.argc = static_cast<std::int32_t>(*argc);
  args.argslen = *argslen;
  args.userStack = *stack;
  if (!process.pmapCr3 || process.zombie()) {
    args.status = ProcArgsStatus::NoAddressSpace;
    args.detail = process.zombie() ? "zombie: no address space" : "no readable task/pmap";
    return args;
  }
  if (args.argc < 0 || args.argc > 65536 || *argslen == 0 || *argslen > kMaxArgsLength ||
      *stack > kUserSpaceEnd || *stack < *argslen) {
    args.status = ProcArgsStatus::Unreadable;
    args.detail = "implausible p_argc " + std::to_string(args.argc) + ", p_argslen " +
                  std::to_string(*argslen) + " or user_stack " + hex(*stack);
    return args;
  }
  const X86_64Translator translator(kmem.physical(), *process.pmapCr3);
  const VirtualMemory user(kmem.physical(), translator);
  std::vector<std::uint8_t> area(*argslen);
  const std::uint64_t start = *stack - *argslen;
  const std::size_t got = user.read(start, area);
  if (got < area.size()) {
    args.status = ProcArgsStatus::NotResident;
    args.detail =
        "string area " + hex(start) + "-" + hex(*stack) + " not resident from " + hex(start + got);
    return args;
  }
  split(area, args.argc, args);
  return args;
}

}  // namespace xnuscope
