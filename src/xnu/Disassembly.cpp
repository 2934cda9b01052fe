#include "xnu/Disassembly.h"

#include "core/Error.h"
#include "core/Hex.h"
#include "disasm/Capstone.h"

namespace xnuscope {

std::vector<Instruction> disassembleX86_64(std::span<const std::uint8_t> code,
                                           std::uint64_t address, std::size_t maxInstructions) {
  const disasm::CapstoneX86_64 capstone(/*withDetail=*/true);
  cs_insn* insns = nullptr;
  const std::size_t count = capstone.api().disasm(capstone.handle(), code.data(), code.size(),
                                                  address, maxInstructions, &insns);
  std::vector<Instruction> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const cs_insn& insn = insns[i];
    Instruction instruction;
    instruction.address = insn.address;
    instruction.size = insn.size;
    instruction.mnemonic = insn.mnemonic;
    instruction.operands = insn.op_str;
    instruction.isJump = insn.id == X86_INS_JMP || insn.id == X86_INS_LJMP;
    instruction.isCall = insn.id == X86_INS_CALL;
    instruction.isReturn = insn.id == X86_INS_RET;
    if (insn.detail) {
      const cs_x86& x86 = insn.detail->x86;
      for (std::uint8_t op = 0; op < x86.op_count; ++op) {
        if (x86.operands[op].type == X86_OP_IMM && !instruction.immediate) {
          instruction.immediate = static_cast<std::uint64_t>(x86.operands[op].imm);
        }
        if (x86.operands[op].type == X86_OP_MEM && x86.operands[op].mem.base == X86_REG_RIP) {
          instruction.ripTarget =
              insn.address + insn.size + static_cast<std::uint64_t>(x86.operands[op].mem.disp);
        }
        if (x86.operands[op].type == X86_OP_REG && (instruction.isJump || instruction.isCall)) {
          instruction.registerTarget = true;
        }
      }
    }
    out.push_back(std::move(instruction));
  }
  if (insns) capstone.api().free(insns, count);
  return out;
}

std::vector<std::string> disassemblyLines(const std::vector<Instruction>& instructions) {
  std::vector<std::string> lines;
  for (const auto& instruction : instructions)
    lines.push_back(hex(instruction.address) + ": " + instruction.text());
  return lines;
}

}  // namespace xnuscope
