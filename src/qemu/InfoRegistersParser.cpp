#include "qemu/InfoRegistersParser.h"

#include <charconv>
#include <optional>
#include <string>

namespace xnuscope {
namespace {

// Value of `KEY=hex` in `block` where KEY starts a word; nullopt when absent.
std::optional<std::uint64_t> field(std::string_view block, std::string_view key) {
  const std::string pattern = std::string(key) + "=";
  std::size_t at = 0;
  while ((at = block.find(pattern, at)) != std::string_view::npos) {
    const bool wordStart = at == 0 || block[at - 1] == ' ' || block[at - 1] == '\n';
    const std::size_t valueAt = at + pattern.size();
    if (wordStart) {
      std::uint64_t value = 0;
      const char* begin = block.data() + valueAt;
      const auto [end, error] = std::from_chars(begin, block.data() + block.size(), value, 16);
      if (error == std::errc() && end != begin) return value;
    }
    at = valueAt;
  }
  return std::nullopt;
}

CpuState parseBlock(std::string_view block, int index) {
  CpuState cpu;
  cpu.index = index;
  cpu.rip = field(block, "RIP");
  if (!cpu.rip) cpu.rip = field(block, "EIP");
  cpu.rsp = field(block, "RSP");
  if (!cpu.rsp) cpu.rsp = field(block, "ESP");
  cpu.cr0 = field(block, "CR0");
  cpu.cr3 = field(block, "CR3");
  cpu.cr4 = field(block, "CR4");
  cpu.efer = field(block, "EFER");
  return cpu;
}

}  // namespace

std::vector<CpuState> parseInfoRegistersCr3(std::string_view text) {
  // Offsets of "CPU#" at line starts.
  std::vector<std::size_t> headers;
  for (std::size_t at = text.find("CPU#"); at != std::string_view::npos;
       at = text.find("CPU#", at + 4)) {
    if (at == 0 || text[at - 1] == '\n') headers.push_back(at);
  }
  std::vector<CpuState> cpus;
  if (headers.empty()) {
    CpuState cpu = parseBlock(text, 0);
    if (cpu.cr3 || cpu.rip) cpus.push_back(cpu);
    return cpus;
  }
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const std::size_t end = i + 1 < headers.size() ? headers[i + 1] : text.size();
    const std::string_view block = text.substr(headers[i], end - headers[i]);
    int index = static_cast<int>(i);
    const char* digits = block.data() + 4;
    std::from_chars(digits, block.data() + block.size(), index);
    CpuState cpu = parseBlock(block, index);
    if (cpu.cr3 || cpu.rip) cpus.push_back(cpu);
  }
  return cpus;
}

}  // namespace xnuscope
