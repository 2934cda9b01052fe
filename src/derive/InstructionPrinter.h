// Capstone's Intel-syntax text of x86_64 instructions, for evidence lines
// ("proc_pid+4: mov eax, dword ptr [rdi + 0x10]") and the `disasm` command.
// Decoding for analysis is Zydis' job (AccessorAnalyzer); this only prints.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace xnuscope::disasm {
class CapstoneX86_64;
}

namespace xnuscope::derive {

struct PrintedInstruction {
  std::uint64_t address = 0;
  std::string bytes;  // hex, space separated
  std::string text;   // "mov eax, dword ptr [rdi + 0x10]"
  std::size_t length = 0;
};

class InstructionPrinter {
 public:
  InstructionPrinter();
  ~InstructionPrinter();
  InstructionPrinter(const InstructionPrinter&) = delete;
  InstructionPrinter& operator=(const InstructionPrinter&) = delete;

  // Up to `count` instructions from `code` (which starts at `address`); stops at
  // the first undecodable byte.
  std::vector<PrintedInstruction> print(std::span<const std::uint8_t> code, std::uint64_t address,
                                        std::size_t count) const;
  // The one instruction at the start of `code`, or "(undecodable)".
  std::string text(std::span<const std::uint8_t> code, std::uint64_t address) const;

 private:
  std::unique_ptr<disasm::CapstoneX86_64> capstone_;
};

}  // namespace xnuscope::derive
