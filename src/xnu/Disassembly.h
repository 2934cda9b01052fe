// x86_64 disassembly of a few instructions with Capstone, for evidence in the
// malfind and hooks reports (what code sits in a suspicious region or at a hooked
// handler's first byte).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace xnuscope {

struct Instruction {
  std::uint64_t address = 0;
  std::uint32_t size = 0;
  std::string mnemonic;                    // "jmp"
  std::string operands;                    // "rax"
  std::optional<std::uint64_t> immediate;  // first immediate operand (a movabs value, a jmp target)
  std::optional<std::uint64_t> ripTarget;  // address of a [rip + disp] memory operand
  bool isJump = false;                     // jmp (any form)
  bool isCall = false;
  bool isReturn = false;
  bool registerTarget = false;  // jmp/call through a register
  std::string text() const { return operands.empty() ? mnemonic : mnemonic + " " + operands; }
};

// Decodes up to `maxInstructions` from `code` at `address`; stops at the first
// undecodable byte. Throws AnalysisError only if Capstone cannot be opened.
std::vector<Instruction> disassembleX86_64(std::span<const std::uint8_t> code,
                                           std::uint64_t address, std::size_t maxInstructions);

// "0xffffff80002a0000: push rbp" lines.
std::vector<std::string> disassemblyLines(const std::vector<Instruction>& instructions);

}  // namespace xnuscope
