#include "xnu/Disassembly.h"

#include <capstone/capstone.h>

#include "core/Error.h"
#include "core/Hex.h"

namespace xnuscope {

namespace {

class CapstoneHandle {
 public:
  CapstoneHandle() {
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle_) != CS_ERR_OK) {
      throw AnalysisError("Capstone could not open an x86_64 disassembler");
    }
    cs_option(handle_, CS_OPT_DETAIL, CS_OPT_ON);
  }
  ~CapstoneHandle() { cs_close(&handle_); }
  CapstoneHandle(const CapstoneHandle&) = delete;
  CapstoneHandle& operator=(const CapstoneHandle&) = delete;
  csh get() const { return handle_; }

 private:
  csh handle_ = 0;
};

}  // namespace

std::vector<Instruction> disassembleX86_64(std::span<const std::uint8_t> code,
                                           std::uint64_t address, std::size_t maxInstructions) {
  const CapstoneHandle capstone;
  cs_insn* insns = nullptr;
  const std::size_t count =
      cs_disasm(capstone.get(), code.data(), code.size(), address, maxInstructions, &insns);
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
  if (insns) cs_free(insns, count);
  return out;
}

std::vector<std::string> disassemblyLines(const std::vector<Instruction>& instructions) {
  std::vector<std::string> lines;
  for (const auto& instruction : instructions)
    lines.push_back(hex(instruction.address) + ": " + instruction.text());
  return lines;
}

}  // namespace xnuscope
